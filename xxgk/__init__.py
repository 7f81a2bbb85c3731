"""xxgk: 政府信息公开工作年度报告 → canonical JSON."""
__version__ = "0.1.0"
