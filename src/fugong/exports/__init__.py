"""Ledger exports as background jobs (导出任务): any list's Excel, with progress, kept for a while."""
