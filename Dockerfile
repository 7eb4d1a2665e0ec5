FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    IOTC_HOST=0.0.0.0 IOTC_PORT=8080 IOTC_DB=/data/iotc-emulator.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY emulator ./emulator
COPY simulated_devices ./simulated_devices
# Ready-made scenarios: --scenario /app/scenarios/logistics.yaml, or mount your own file.
COPY scenarios ./scenarios
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 emulator \
    && mkdir -p /data && chown emulator /data

USER emulator
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/_emulator/health', timeout=2).status == 200 else 1)"

ENTRYPOINT ["iotc-emulator"]
