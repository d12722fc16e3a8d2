"""Checking uploaded files: allowed types only, content matching the extension, size within
policy, and a safe display name. Every refusal says in Chinese what to do."""

from __future__ import annotations

import os
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

# Extension → (content type, check of the first bytes).
ALLOWED: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
IMAGES = {"jpg", "jpeg", "png"}


@dataclass(frozen=True)
class CheckedUpload:
    extension: str
    content_type: str
    display_name: str
    size: int


def display_name(name: str) -> str:
    """The user's file name with any directory part and control characters removed."""
    base = os.path.basename(name.replace("\\", "/"))
    cleaned = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C").strip(" .")
    return cleaned[:150] or "文件"


def _content_matches(extension: str, head: bytes, upload: Any) -> bool:
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("docx", "xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return False
        finally:
            upload.seek(0)
        return ("word/document.xml" in names) if extension == "docx" else ("xl/workbook.xml" in names)
    return False


def check_upload(upload: Any, *, max_mb: int, allowed: frozenset[str] | None = None) -> CheckedUpload:
    """Validate an uploaded file; raise ValidationError with a Chinese message if refused."""
    name = display_name(upload.name or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    permitted = allowed or frozenset(ALLOWED)
    if extension not in permitted:
        kinds = "、".join(sorted({e.upper() for e in permitted if e != "jpeg"}))
        raise ValidationError(f"“{name}”的类型不允许上传，只接受 {kinds} 文件。", code="upload_type")
    size = upload.size or 0
    if size > max_mb * 1024 * 1024:
        raise ValidationError(f"“{name}”有 {size / 1024 / 1024:.1f} MB，超过单个文件 {max_mb} MB 的上限，请压缩后再上传。", code="upload_size")
    if size == 0:
        raise ValidationError(f"“{name}”是空文件。", code="upload_empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _content_matches(extension, head, upload):
        raise ValidationError(f"“{name}”的内容与扩展名 .{extension} 不符（文件可能已损坏或被改了扩展名），请上传原始文件。", code="upload_content")
    return CheckedUpload(extension=extension, content_type=ALLOWED[extension], display_name=name, size=size)
