# syntax=docker/dockerfile:1
# One image for risk, aml, finance and the training jobs:
#   docker build -t tradeguard:latest .
#   docker run --rm -p 50051:50051 -p 9101:9101 tradeguard:latest serve risk
# Kubernetes starts each service with `python -m services.<name>` (k8s/base).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies get their own layer: they change far less often than the code. They are the
# runtime set pinned in requirements/run.txt (no dev tools), so every build installs the same
# versions that `make run` and CI use.
COPY requirements/run.txt ./requirements/run.txt
RUN pip install --requirement requirements/run.txt
COPY pyproject.toml README.md ./
COPY services ./services
# Bytecode compiled here because the root filesystem is read-only at run time.
RUN pip install --no-deps . \
 && python -m compileall -q /opt/venv/lib

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="tradeguard" \
      org.opencontainers.image.description="Trade-finance risk, AML and credit insurance gRPC services" \
      org.opencontainers.image.licenses="Apache-2.0"
# LightGBM links against the OpenMP runtime, which the slim image lacks.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends libgomp1 \
 && rm -rf /var/lib/apt/lists/*
# The fixed uid/gid the manifests' securityContext (runAsUser 10001) expects.
RUN groupadd --system --gid 10001 tradeguard \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin tradeguard
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp
WORKDIR /tmp
USER 10001:10001
EXPOSE 50051 50052 50053 9101 9102 9103
ENTRYPOINT ["tradeguard"]
CMD ["serve", "all"]
