"""The Bot API as Telegram serves it: ``/bot<token>/<method>``, and files under ``/file/bot<token>/``."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from telegram_replica.deps import ReplicaDep
from telegram_replica.dispatch import call_method
from telegram_replica.errors import ApiError
from telegram_replica.params import read_params

router = APIRouter(include_in_schema=False)


@router.api_route("/bot{token}/{method}", methods=["GET", "POST"])
async def bot_method(token: str, method: str, request: Request, replica: ReplicaDep) -> JSONResponse:
    try:
        params = await read_params(request)
    except ApiError as error:
        return JSONResponse(error.envelope(), status_code=error.code)
    status, body = await call_method(replica, token, method, params)
    return JSONResponse(body, status_code=status)


@router.get("/file/bot{token}/{file_path:path}")
async def download_file(token: str, file_path: str, replica: ReplicaDep) -> Response:
    if replica.config.token is not None and token != replica.config.token:
        return JSONResponse(ApiError(401, "Unauthorized").envelope(), status_code=401)
    with replica.lock:
        stored = next((f for f in replica.files.values() if f.file_path == file_path), None)
    if stored is None:
        return JSONResponse(ApiError(404, "Not Found").envelope(), status_code=404)
    return Response(stored.data, media_type=stored.content_type or "application/octet-stream")
