"""Image and file upload (``POST /product/202309/images/upload``, ``/files/upload``): multipart/form-data,
signed without the body, seller-scoped (``shop_cipher`` must be absent). Rules and codes: ``media.py``.

The form is read after the signature check (which caches the raw body); decoding runs in a worker
thread so a big image does not hold up the event loop. Wired by :func:`install` from ``app.py``.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import FormData, UploadFile

from libs.sandbox.errors import SandboxError, envelope
from libs.sandbox.media import MEDIA_PARAM_INVALID, USE_CASES, file_format, inspect_image
from libs.sandbox.security import SellerCtx
from libs.sandbox.state import SandboxState

router = APIRouter(tags=["api host"])


def install(app: FastAPI, state: SandboxState) -> None:
    app.include_router(router)


async def _form(request: Request) -> FormData:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise SandboxError(MEDIA_PARAM_INVALID, "send the upload as multipart/form-data")
    return await request.form()


async def _data(form: FormData) -> bytes:
    upload = form.get("data")
    if not isinstance(upload, UploadFile):
        raise SandboxError(MEDIA_PARAM_INVALID, "form field data must be the file")
    return await upload.read()


@router.post("/product/202309/images/upload")
async def upload_image(ctx: SellerCtx, request: Request) -> JSONResponse:
    """Form fields ``data`` (the image) and ``use_case`` (default ``MAIN_IMAGE``) →
    ``{uri, url, width, height, use_case}``."""
    form = await _form(request)
    try:
        use_case = form.get("use_case", "MAIN_IMAGE")
        if not isinstance(use_case, str) or use_case not in USE_CASES:
            raise SandboxError(MEDIA_PARAM_INVALID, f"use_case must be one of {', '.join(USE_CASES)}, got {use_case!r}")
        data = await _data(form)
    finally:
        await form.close()
    info = await run_in_threadpool(inspect_image, data)
    return envelope(ctx.state.media.add_image(ctx.seller.id, use_case, data, info).to_wire())


@router.post("/product/202309/files/upload")
async def upload_file(ctx: SellerCtx, request: Request) -> JSONResponse:
    """Form fields ``data`` (a PDF or video) and ``name`` (``cert.pdf``) → ``{id, name, url, format}``."""
    form = await _form(request)
    try:
        name = form.get("name")
        data = await _data(form)
    finally:
        await form.close()
    fmt = file_format(name if isinstance(name, str) else None, data)
    assert isinstance(name, str)
    return envelope(ctx.state.media.add_file(ctx.seller.id, name, fmt, data).to_wire())
