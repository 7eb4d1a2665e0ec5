"""The start-up floor: a FastAPI hello-world that also imports the emulator's database stack."""

import aiosqlite  # noqa: F401  (imported for its start-up cost)
import sqlalchemy.ext.asyncio  # noqa: F401  (imported for its start-up cost)
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}
