"""The one document model every converter produces and layout/normalize consume.

It sits at the ground of the package: it imports nothing of xxgk, and every room may import it.

A Document is an ordered list of blocks: Paragraph (prose) and Table (a grid of
cells with spans). Converters never map anything to the national template.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional, Union

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in page units (pt or px)


class ConversionError(Exception):
    """Input that cannot be converted: the message is shown to the user in one line.

    ``status`` is the batch status the input ends with (see xxgk.status).
    """

    status = "failed"


# What Python and the C libraries say when memory (or a new thread's stack) cannot be had under the
# worker's limit: the input's limit, never its content.
_OUT_OF_MEMORY = ("can't start new thread", "bad_alloc", "out of memory", "insufficient memory",
                  "cannot allocate memory")


def says_out_of_memory(text: str) -> bool:
    lowered = text.lower()
    return any(s in lowered for s in _OUT_OF_MEMORY)


def out_of_memory(e: Optional[BaseException]) -> bool:
    """e, or the error it was raised from, says memory ran out: not to be read as a damaged page or file."""
    for err in (e, getattr(e, "__cause__", None), getattr(e, "__context__", None)):
        if isinstance(err, MemoryError) or (err is not None and says_out_of_memory(str(err))):
            return True
    return False


def raise_if_import_out_of_memory(e: ImportError) -> None:
    """A failed import that is the memory limit's doing is out of memory, never "not installed".

    Under RLIMIT_AS the loader's mmap fails with ENOMEM, which glibc reports as "failed to map segment
    from shared object"; without a limit the same text means a noexec mount or a broken file instead.
    """
    if out_of_memory(e):
        raise MemoryError(str(e)) from e
    if "failed to map segment" in str(e):
        import resource

        if resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY:
            raise MemoryError(str(e)) from e


NO_OCR = "OCR not available"  # ends the image_page warning of a page left unread because OCR cannot be imported


class Refused(ConversionError):
    """Readable input that is not one convertible report: not a report, pre-2019, several reports, encrypted."""

    status = "refused"


class MissingDependency(ConversionError):
    """A program or data file xxgk needs is not installed (the message names the package): exit code 3."""

    status = "failed"


@dataclass
class Cell:
    row: int
    col: int
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    page: Optional[int] = None
    bbox: Optional[BBox] = None
    method: str = "text"  # "text" or "ocr"
    confidence: Optional[float] = None  # OCR confidence 0..1 when method == "ocr"

    @property
    def last_row(self) -> int:
        return self.row + self.rowspan - 1

    @property
    def last_col(self) -> int:
        return self.col + self.colspan - 1


@dataclass
class Table:
    """A grid of anchored cells; a merged cell is one Cell with spans.

    positional=False marks a table rebuilt from flattened text, where empty cells
    are padding left by lost merges and column positions cannot be trusted.
    """

    cells: list[Cell] = field(default_factory=list)
    positional: bool = True
    page: Optional[int] = None
    bbox: Optional[BBox] = None

    @property
    def n_rows(self) -> int:
        return max((c.last_row + 1 for c in self.cells), default=0)

    @property
    def n_cols(self) -> int:
        return max((c.last_col + 1 for c in self.cells), default=0)

    def rows(self) -> list[list[Cell]]:
        """Cells anchored in each row, left to right (covered slots are not repeated)."""
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        for r in out:
            r.sort(key=lambda c: c.col)
        return out

    def matrix(self) -> list[list[Optional[Cell]]]:
        """Dense grid: every slot points at the cell covering it (None where nothing does)."""
        grid: list[list[Optional[Cell]]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for c in self.cells:
            for r in range(c.row, c.last_row + 1):
                for k in range(c.col, c.last_col + 1):
                    grid[r][k] = c
        return grid

    def text_rows(self) -> list[list[str]]:
        """Anchored cell texts per row; handy for tests and debugging."""
        return [[c.text for c in row] for row in self.rows()]


@dataclass
class Paragraph:
    text: str
    page: Optional[int] = None
    bbox: Optional[BBox] = None
    method: str = "text"
    style: Optional[str] = None  # e.g. "heading", "title" when the source says so


Block = Union[Paragraph, Table]


@dataclass
class Source:
    path: Optional[str] = None
    url: Optional[str] = None
    format: str = "text"  # pdf, docx, doc, image, html, text
    sha256: Optional[str] = None
    pages: Optional[int] = None
    ocr: bool = False
    ocr_engine: Optional[str] = None  # which engine read the OCR'd pages ("tesseract", "rapidocr")


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    source: Source = field(default_factory=Source)
    # Facts the container states outside the body: HTML <title>, DOCX core properties, page dates.
    metadata: dict = field(default_factory=dict)
    # What the converter was unsure of: {"field", "kind", "message", "raw"} like the report's warnings.
    warnings: list[dict] = field(default_factory=list)

    def paragraphs(self) -> Iterator[Paragraph]:
        return (b for b in self.blocks if isinstance(b, Paragraph))

    def tables(self) -> Iterator[Table]:
        return (b for b in self.blocks if isinstance(b, Table))

    def warn(self, kind: str, message: str, raw: Optional[str] = None, field_: Optional[str] = None) -> None:
        self.warnings.append({"field": field_, "kind": kind, "message": message, "raw": raw})
