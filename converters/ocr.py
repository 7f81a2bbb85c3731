"""OCR engines behind one small interface.

TesseractEngine runs every crop of a kind through ONE tesseract process (a file list,
TSV output for confidences), with OMP_THREAD_LIMIT=1: one process per crop is ~30x
slower, and OpenMP threads make tesseract 4-5x slower on 2 cores (toolchain.md).
Independent batches run as concurrent processes; with tesserocr installed they run in-process
instead (converters/tesseract_api.py: 6.4 vs 8.7 CPU-s for the 200-dpi sealed table page).
Cell crops of scans coarser than CELL_DPI are enlarged to it before they are read.

Cell kinds:
  "probe"    eng psm 7, no whitelist: a quick first pass that tells numbers from labels; gives
             (text, conf, raw text): a raw text of digits stands for the number vote's eng pass
  "number"   eng psm 7 + digit whitelist on the raw crop and on an Otsu crop, and chi_sim
             psm 7 + whitelist on the Otsu crop; the three vote (a pass that reads nothing is
             redone with psm 13: psm 7 drops some lone glyphs, e.g. a thin-stemmed "4")
  "label"    chi_sim psm 6, spaces between CJK removed
  "vertical" chi_sim psm 7: a vertical label's glyphs set in a row (scan_cells.glyphs_in_a_row)
  "column"   chi_sim_vert psm 5: a vertical label as printed, where the row reading is unsure
Confidences are 0..1. For numbers they reflect agreement between the passes (>= 0.9 only
when all three agree), not only tesseract's own score: its errors here are confident ones
(a dropped digit, a speck turning "0" into "6").
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Optional, Sequence

import cv2
import numpy as np

from xxgk.model import MissingDependency
from xxgk.converters import second_reader, tesseract_api
from xxgk.converters.tesseract_langs import LANG_PACKAGES, _list_langs, tesseract_languages, tesseract_problem  # noqa: F401

BBox = tuple[float, float, float, float]

DIGITS = "0123456789.-"
SECOND_READ_DPI = 150  # cells of scans below this that Tesseract is unsure of are read again (second_reader)
CELL_DPI = 200  # cell crops of coarser scans are read enlarged to this (100-dpi grey: 183 -> 185 of 186 numbers)
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_NUMBER = re.compile(r"^-?\d[\d,]*(\.\d+)?$")


def clean_cjk(text: str) -> str:
    """Join lines and drop spaces next to CJK characters (tesseract puts them between glyphs)."""
    text = " ".join(t.strip() for t in text.splitlines() if t.strip())
    return _CJK_SPACE.sub("", text).strip()


_ENUM_BRACKETS = re.compile(r"[〈《(（]+([一二三四五六七八九十]{1,3})[)）〉》]+")


def fix_brackets(text: str) -> str:
    """chi_sim reads （ as 《 or 〈: restore enumerators like （三） and lone angle brackets."""
    text = _ENUM_BRACKETS.sub(r"（\1）", text)
    return text.replace("〈", "（").replace("〉", "）")


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text))


# Text crops: a table label (a block), a vertical label (in a row; as printed), one line of prose the page
# pass skipped (psm 13 reads it raw: tesseract 5.5's layout analysis drops some large title lines at psm 6 and 7).
_TEXT_KINDS = {"label": ("chi_sim", 6), "vertical": ("chi_sim", 7), "column": ("chi_sim_vert", 5),
               "line": ("chi_sim", 13)}


class OcrEngine:
    """Interface: crops are gray uint8 arrays (white background, already padded)."""

    name = "base"
    reads_pages = False  # True: read_block on a whole page, lines then assigned to cells

    def read_cells(self, crops: Sequence[np.ndarray], kind: str) -> list[tuple[str, float]]:
        """(text, confidence 0..1) per crop; kind: number, probe, label, vertical, column or line."""
        raise NotImplementedError

    def read_block(self, image: np.ndarray) -> list[tuple[str, float, BBox]]:
        """Prose: one entry per text line, (text, confidence 0..1, bbox in image pixels)."""
        raise NotImplementedError

    def read_block_words(self, image: np.ndarray) -> tuple[list[tuple[str, float, BBox]], list[tuple[str, float, BBox]]]:
        """(lines, words) from one pass: the words' boxes show tables drawn without rulings.
        Engines whose lines are already split at wide gaps give their lines as the words."""
        lines = self.read_block(image)
        return lines, lines

    def orientation(self, image: np.ndarray) -> Optional[tuple[int, float]]:
        """(clockwise degrees to rotate the page upright, confidence) or None if unknown."""
        return None


@dataclass
class _Word:
    page: int
    block: int
    par: int
    line: int
    left: int
    top: int
    width: int
    height: int
    conf: float
    text: str


def _parse_tsv(tsv: str) -> list[_Word]:
    words = []
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5":
            continue
        text = "\t".join(f[11:]).strip()
        if not text:
            continue
        words.append(_Word(int(f[1]), int(f[2]), int(f[3]), int(f[4]), int(f[6]), int(f[7]),
                           int(f[8]), int(f[9]), float(f[10]), text))
    return words


def otsu(crop: np.ndarray) -> np.ndarray:
    _, out = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return out


class TesseractEngine(OcrEngine):
    name = "tesseract"

    def __init__(self, dpi: int = 200, binary: str = "tesseract", timeout: float = 300):
        problem = tesseract_problem(binary)
        if problem:  # before any page is read: a missing pack must not become a page of nulls
            raise MissingDependency(problem)
        self.dpi = dpi
        self.binary = binary
        self.timeout = timeout
        self.env = dict(os.environ, OMP_THREAD_LIMIT="1")

    # ------------------------------------------------------------ processes

    def _run(self, images: Sequence[np.ndarray], lang: str, psm: int,
             config: Sequence[str] = (), dpi: Optional[int] = None) -> list[list[_Word]]:
        """All images through one tesseract process (or the in-process API); words per image, in input order."""
        if not images:
            return []
        dpi = dpi or self.dpi
        if tesseract_api.available():
            tsv = tesseract_api.run_tsv(images, _list_langs(self.binary)[0], lang, psm, config, dpi)
            return self._words_per_image(tsv, len(images))
        with tempfile.TemporaryDirectory(prefix="xxgk-ocr-") as tmp:
            paths = []
            for i, im in enumerate(images):
                p = os.path.join(tmp, f"{i:05d}.png")
                cv2.imwrite(p, im)
                paths.append(p)
            if len(paths) == 1:
                src = paths[0]
            else:
                src = os.path.join(tmp, "list.txt")
                with open(src, "w") as f:
                    f.write("\n".join(paths) + "\n")
            cmd = [self.binary, src, "stdout", "-l", lang, "--psm", str(psm), "--dpi", str(dpi)]
            for c in config:
                cmd += ["-c", c]
            cmd.append("tsv")
            res = subprocess.run(cmd, capture_output=True, env=self.env, timeout=self.timeout)
            if res.returncode != 0:
                raise RuntimeError(f"tesseract failed: {res.stderr.decode('utf-8', 'replace')[-300:]}")
        return self._words_per_image(res.stdout.decode("utf-8", "replace"), len(images))

    @staticmethod
    def _words_per_image(tsv: str, n: int) -> list[list[_Word]]:
        out: list[list[_Word]] = [[] for _ in range(n)]
        for w in _parse_tsv(tsv):
            if 1 <= w.page <= n:
                out[w.page - 1].append(w)
        return out

    @staticmethod
    def _line_text(words: list[_Word], joiner: str = " ") -> tuple[str, float]:
        if not words:
            return "", 0.0
        text = joiner.join(w.text for w in words)
        conf = float(np.mean([max(w.conf, 0.0) for w in words])) / 100.0
        return text, conf

    # ------------------------------------------------------------ cells

    def _cell_scale(self) -> float:
        """How much a cell crop is enlarged before it is read: scans below CELL_DPI are read at it."""
        return max(1.0, CELL_DPI / max(1, self.dpi))

    def _enlarged(self, crops: Sequence[np.ndarray]) -> list[np.ndarray]:
        f = self._cell_scale()
        if f == 1.0:
            return list(crops)
        return [cv2.resize(c, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC) for c in crops]

    def read_cells(self, crops: Sequence[np.ndarray], kind: str,
                   probes: Optional[Sequence[Optional[tuple[str, float]]]] = None) -> list[tuple]:
        """`probes` (numbers only): each crop's raw probe reading (text, conf) or None; one of only
        digits stands for the eng pass on the raw crop (the same image, psm and model: the whitelist
        changes nothing when the best reading is digits already), so that pass skips the crop."""
        raw, crops = list(crops), self._enlarged(crops)  # the second reader takes the crops as scanned
        if kind == "number":
            return self._numbers(crops, probes, raw)
        if kind == "probe":
            words = self._run(crops, "eng", 7, dpi=self._cell_dpi())
            return [(re.sub(r"[|\[\]]", "", t).strip(), c, self._line_text(w, "")[0])
                    for (t, c), w in ((self._line_text(w), w) for w in words)]
        if kind in _TEXT_KINDS:
            lang, psm = _TEXT_KINDS[kind]
            words = self._run(crops, lang, psm, dpi=self._cell_dpi())
            out = []
            for ws in words:
                lines: dict[tuple, list[_Word]] = {}
                for w in ws:
                    lines.setdefault((w.block, w.par, w.line), []).append(w)
                text = "\n".join(" ".join(x.text for x in lw) for lw in lines.values())
                _, conf = self._line_text(ws)
                out.append((fix_brackets(clean_cjk(text).strip("|")), conf))
            return self._second_labels(raw, out) if kind == "label" else out
        raise ValueError(f"unknown cell kind {kind!r}")

    def _cell_dpi(self) -> int:
        return int(round(self.dpi * self._cell_scale()))

    def _second_reads(self) -> bool:
        return self.dpi < SECOND_READ_DPI and second_reader.available()

    def _second_labels(self, raw: Sequence[np.ndarray], out: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """Labels Tesseract read unsure on a low-resolution scan: the second reader's text wins if it is surer."""
        if not self._second_reads():
            return out
        tall = 1.4 * float(np.median([c.shape[0] for c in raw]))  # it reads one line: a cell of two is skipped
        unsure = [i for i, (text, conf) in enumerate(out) if conf < 0.8 and "\n" not in text and raw[i].shape[0] <= tall]
        for i, (text, score) in zip(unsure, second_reader.read([raw[i] for i in unsure])):
            text = fix_brackets(clean_cjk(text))
            if text and score > out[i][1]:
                out[i] = (text, score)
        return out

    def _numbers(self, crops: Sequence[np.ndarray],
                 probes: Optional[Sequence[Optional[tuple[str, float]]]] = None,
                 unenlarged: Optional[Sequence[np.ndarray]] = None) -> list[tuple[str, float]]:
        """Three readings vote: eng on the raw crop, eng and chi_sim on an Otsu crop.

        On noisy scans eng alone sometimes agrees with itself on a wrong digit (a speck on
        a "0" makes "6"); chi_sim sees the glyph differently, so a 3-way agreement is needed
        for a confidence >= 0.9 (toolchain.md: the fallback/vote read 175/175).
        """
        wl = [f"tessedit_char_whitelist={DIGITS}"]
        binar = [otsu(c) for c in crops]
        setup = [(crops, "eng"), (binar, "eng"), (binar, "chi_sim")]
        known = [p if p is not None and p[0] and set(p[0]) <= set(DIGITS) else None
                 for p in (probes or [None] * len(crops))]
        raw = [i for i, p in enumerate(known) if p is None]
        with ThreadPoolExecutor(3) as ex:
            first = ex.submit(self._run, [crops[i] for i in raw], "eng", 7, wl, self._cell_dpi())
            jobs = [ex.submit(self._run, ims, lang, 7, wl, self._cell_dpi()) for ims, lang in setup[1:]]
            passes = [list(known)] + [[self._line_text(w, "") for w in j.result()] for j in jobs]
            for i, w in zip(raw, first.result()):
                passes[0][i] = self._line_text(w, "")
            # psm 7's line finder drops some lone glyphs (a thin-stemmed "4" comes back empty
            # from all three passes); psm 13 (raw line, no layout analysis) reads them.
            empty = [[i for i, (t, _) in enumerate(p) if not t] for p in passes]
            redo = {j: ex.submit(self._run, [setup[j][0][i] for i in idx], setup[j][1], 13, wl, self._cell_dpi())
                    for j, idx in enumerate(empty) if idx}
            for j, f in redo.items():
                for i, w in zip(empty[j], f.result()):
                    text, conf = self._line_text(w, "")
                    if conf >= 0.5:  # psm 13 also reads noise: only a confident reading counts
                        passes[j][i] = (text, conf)
        votes = [_vote([p[i] for p in passes]) for i in range(len(crops))]
        if unenlarged is not None and self._second_reads():
            unsure = [i for i, (_, conf) in enumerate(votes) if conf < 0.9]
            for i, (text, score) in zip(unsure, second_reader.read([unenlarged[i] for i in unsure])):
                votes[i] = _with_second([p[i] for p in passes], votes[i], second_number(text), score)
        return votes

    # ------------------------------------------------------------ prose

    def read_block(self, image: np.ndarray) -> list[tuple[str, float, BBox]]:
        return self.read_block_words(image)[0]

    def read_block_words(self, image: np.ndarray) -> tuple[list[tuple[str, float, BBox]], list[tuple[str, float, BBox]]]:
        words = self._run([image], "chi_sim", 6)[0]
        boxes = [(w.text, max(w.conf, 0.0) / 100.0,
                  (float(w.left), float(w.top), float(w.left + w.width), float(w.top + w.height))) for w in words]
        lines: dict[tuple, list[_Word]] = {}
        for w in words:
            lines.setdefault((w.block, w.par, w.line), []).append(w)
        out = []
        for ws in lines.values():
            text = clean_cjk(" ".join(w.text for w in ws))
            if not text:
                continue
            conf = float(np.mean([max(w.conf, 0.0) for w in ws])) / 100.0
            # Median top/bottom: one tall word box (a speck, a bracket) must not make the line look
            # twice its type size; paragraphs are split on indents and size changes measured by it.
            bbox = (float(min(w.left for w in ws)), float(np.median([w.top for w in ws])),
                    float(max(w.left + w.width for w in ws)), float(np.median([w.top + w.height for w in ws])))
            out.append((text, conf, bbox))
        out.sort(key=lambda t: (t[2][1], t[2][0]))
        return out, boxes

    def orientation(self, image: np.ndarray) -> Optional[tuple[int, float]]:
        with tempfile.TemporaryDirectory(prefix="xxgk-osd-") as tmp:
            p = os.path.join(tmp, "page.png")
            cv2.imwrite(p, image)
            res = subprocess.run([self.binary, p, "stdout", "--psm", "0", "--dpi", str(self.dpi)],
                                 capture_output=True, env=self.env, timeout=self.timeout)
        text = res.stdout.decode("utf-8", "replace")
        m = re.search(r"Rotate:\s*(\d+)", text)
        c = re.search(r"Orientation confidence:\s*([\d.]+)", text)
        if res.returncode != 0 or not m:
            return None  # e.g. "Too few characters"
        return int(m.group(1)) % 360, float(c.group(1)) if c else 0.0


def _vote(votes: list[tuple[str, float]]) -> tuple[str, float]:
    """Agreement-based confidence: only a unanimous reading is trusted (>= 0.9)."""
    texts = [t for t, _ in votes if t]
    if not texts:
        return "", 0.0
    best = max(set(texts), key=lambda t: (texts.count(t), max(c for x, c in votes if x == t), len(t)))
    n = texts.count(best)
    tconf = max(c for t, c in votes if t == best)
    if n == len(votes):
        return best, 0.9 + 0.1 * tconf
    if n >= 2:
        return best, 0.6 + 0.2 * tconf
    return best, 0.3 * tconf


def second_number(text: str) -> str:
    """The second reader's text as a number, or "" (a gap inside, "7730 28", may be a lost decimal point)."""
    text = text.strip().strip(":;'\"`·,，。：|")
    if not text or " " in text:
        return ""
    mapped = number_text(text)
    return mapped if is_number(mapped) else ""


def _with_second(passes: list[tuple[str, float]], vote: tuple[str, float], second: str,
                 score: float) -> tuple[str, float]:
    """Tesseract's passes were not unanimous; PP-OCR's reading of the same crop joins them.

    Two different recognisers agreeing on the digits is trusted (>= 0.9); PP-OCR alone, when it is
    sure, wins over Tesseract's disagreeing passes (at 100 dpi it is the better reader) but stays
    below 0.9, so the field is warned about.
    """
    if not second or score < 0.8:
        return vote
    if any(t == second for t, _ in passes):
        return second, 0.9 + 0.09 * min(score, 1.0)
    if score >= 0.95:
        return second, 0.7
    return vote


RAPIDOCR_MISSING = "rapidocr is not installed: it is a dependency of xxgk (run scripts/setup.sh)"


class RapidOcrEngine(OcrEngine):
    """RapidOCR (PP-OCR det + rec, ONNX models inside the `rapidocr` wheel; no download).

    It reads whole pages: `reads_pages` tells converters.image to run `read_block` once on the
    cleaned page and assign its text lines to the grid's cells, because recognising each cell
    crop on its own is ~10x slower and turns lone "0"s into "o" or "。" (toolchain.md).
    The angle classifier is off: it flips lone digits ("9" -> "6") silently.
    """

    name = "rapidocr"
    reads_pages = True

    def __init__(self, text_score: float = 0.3, max_side: int = 2000):
        try:
            from rapidocr import RapidOCR  # type: ignore
        except ImportError:
            raise RuntimeError(RAPIDOCR_MISSING) from None
        # text_score 0.3: the default 0.5 drops faint lone digits. max_side 2000 (~200 dpi on A4):
        # full 300-dpi pages (4000) cost twice the time and 2 GB of memory for no gain measured.
        self._engine = RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False,
                                        "Global.text_score": text_score, "Global.max_side_len": max_side})

    def orientation(self, image: np.ndarray) -> Optional[tuple[int, float]]:
        # PP-OCR has no page-orientation model in this wheel: tesseract's OSD answers when present.
        try:
            return TesseractEngine().orientation(image)
        except (RuntimeError, MissingDependency):
            return None

    def _call(self, image: np.ndarray) -> list[tuple[list, str, float]]:
        res = self._engine(image)
        if getattr(res, "boxes", None) is None:
            return []
        return [(b, t, float(s)) for b, t, s in zip(res.boxes, res.txts, res.scores)]

    def read_cells(self, crops: Sequence[np.ndarray], kind: str) -> list[tuple[str, float]]:
        out = []
        for crop in crops:
            items = self._call(crop)
            items.sort(key=lambda it: (min(p[1] for p in it[0]), min(p[0] for p in it[0])))
            text = "".join(t for _, t, _ in items)
            if kind in ("number", "probe"):
                text = number_text(text)
            conf = float(min(s for _, _, s in items)) if items else 0.0
            out.append((fix_brackets(clean_cjk(text)), conf))
        return out

    def read_block(self, image: np.ndarray) -> list[tuple[str, float, BBox]]:
        out = []
        for box, text, score in self._call(image):
            xs = [p[0] for p in box]
            ys = [p[1] for p in box]
            out.append((fix_brackets(clean_cjk(text)), score,
                        (float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)))))
        out.sort(key=lambda t: (t[2][1], t[2][0]))
        return out


_LOOKALIKE_DIGITS = str.maketrans({"o": "0", "O": "0", "〇": "0", "l": "1", "I": "1", "|": "1", "，": ",", "。": "."})


def number_text(text: str) -> str:
    """A reading that is a number once look-alikes are mapped ("1o5" -> "105"); else unchanged."""
    mapped = text.translate(_LOOKALIKE_DIGITS).replace(" ", "")
    return mapped if is_number(mapped) else text


ENGINES = {"tesseract": TesseractEngine, "rapidocr": RapidOcrEngine}
ENGINE_ENV = "XXGK_OCR_ENGINE"
_cached: dict[str, OcrEngine] = {}


def engine_name() -> str:
    """The engine named by $XXGK_OCR_ENGINE (the CLI's --ocr-engine), tesseract by default."""
    return os.environ.get(ENGINE_ENV, "").strip().lower() or "tesseract"


def engine_problem(name: str) -> Optional[str]:
    """Why engine `name` cannot run here, or None when it can."""
    if name not in ENGINES:
        return f"unknown OCR engine {name!r} (choose from {', '.join(ENGINES)})"
    if name == "tesseract":
        return tesseract_problem()
    if name == "rapidocr" and not second_reader.available():  # the same wheels
        return RAPIDOCR_MISSING
    return None


def default_engine(dpi: int = 200) -> OcrEngine:
    name = engine_name()
    if name not in ENGINES:
        raise RuntimeError(engine_problem(name))
    if name == "tesseract":
        return TesseractEngine(dpi=dpi)
    if name not in _cached:  # loading the models costs seconds: once per process
        _cached[name] = ENGINES[name]()
    return _cached[name]
