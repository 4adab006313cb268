# chaos-book: every target installs what it needs.
#   make book   -> _build/html/index.html (notebooks executed once, cached in _jcache/)
#   make pdf    -> _build/latex/chaos-book.pdf (the whole book through LaTeX; reuses the notebooks cached in _jcache/)
#   make test   -> drift checks, API tests, book build (runs every notebook), offline-HTML checks
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.chaos-book-dev.stamp
VENDOR := _vendor
VTMP   := _build/.vendor-tmp
JB_FLAGS := --warningiserror --nitpick --keep-going

# Pinned offline assets for the HTML (fetched from the npm registry at build time, git-ignored).
MATHJAX   := mathjax@3.2.2
REQUIREJS := requirejs@2.3.8
WIDGETS   := @jupyter-widgets/html-manager@1.0.15
VENDOR_STAMP := $(VENDOR)/.complete-$(subst /,-,$(subst @,,$(MATHJAX)-$(REQUIREJS)-$(WIDGETS)))

.PHONY: help venv export vendor browser tex book pdf lab test audit bench clean

help:
	@echo "make venv    create $(VENV) and install chaos-book with its dev tools"
	@echo "make book    build the book into _build/html/index.html"
	@echo "make pdf     the whole book as one PDF: _build/latex/chaos-book.pdf (XeLaTeX from Debian's TeX Live)"
	@echo "make lab     open the chapters (nbs/) in JupyterLab, with a live kernel"
	@echo "make test    drift checks, API tests, book build (executes all notebooks), HTML checks"
	@echo "make audit   re-execute every chapter at its large size into _build/audit, print the audit table"
	@echo "make bench   run every benchmarks/bench_*.py"
	@echo "make clean   remove build outputs (keeps $(VENV))"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]' 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
	@touch $@

export: venv
	$(BIN)/nbdev_export

vendor: $(VENDOR_STAMP)

# npm pack downloads each package's tarball only; we keep the files the HTML needs.
$(VENDOR_STAMP):
	@command -v npm >/dev/null || { echo "npm is needed to fetch MathJax, require.js and the widget embedder"; exit 1; }
	rm -rf $(VENDOR) $(VTMP) && mkdir -p $(VTMP)/pkg
	cd $(VTMP)/pkg && npm pack --silent $(MATHJAX) $(REQUIREJS) $(WIDGETS) >/dev/null
	cd $(VTMP) && for t in pkg/*.tgz; do n=$$(basename $$t .tgz); mkdir -p x/$$n; tar xzf $$t -C x/$$n; done
	mkdir -p $(VTMP)/out/widgets
	mv $(VTMP)/x/mathjax-*/package/es5 $(VTMP)/out/mathjax
	cd $(VTMP)/out/mathjax && rm -rf output/svg* tex-svg* tex-mml-* mml-* tex-chtml.js tex-chtml-full-speech.js node-main.js latest.js
	mv $(VTMP)/x/requirejs-*/package/require.js $(VTMP)/out/require.js
	cp $(VTMP)/x/jupyter-widgets-html-manager-*/package/dist/embed-amd.js \
	   $(VTMP)/x/jupyter-widgets-html-manager-*/package/dist/*.woff* \
	   $(VTMP)/x/jupyter-widgets-html-manager-*/package/dist/*.ttf \
	   $(VTMP)/x/jupyter-widgets-html-manager-*/package/dist/*.eot \
	   $(VTMP)/x/jupyter-widgets-html-manager-*/package/dist/*.svg $(VTMP)/out/widgets/
	test -f $(VTMP)/out/mathjax/tex-chtml-full.js
	mv $(VTMP)/out $(VENDOR) && rm -rf $(VTMP)
	@touch $@

# The jupyter-cache (_jcache/) keys a notebook by its code only, so outputs computed with an older
# chaos_book would be reused: when the library (or pyproject.toml) changes, drop the cache and re-read every page.
# A build that failed on warnings leaves an environment that the next incremental build would trust:
# drop it too, so the next build reads every page again and the warnings come back.
define build_book
	@lib=$$(cat chaos_book/*.py pyproject.toml | sha256sum | cut -c1-16); \
	if [ "$$(cat _jcache/.library 2>/dev/null)" != "$$lib" ]; then \
	  [ ! -d _jcache ] || echo "chaos_book changed since the notebooks were cached: executing them again"; \
	  rm -rf _jcache _build/.doctrees && mkdir -p _jcache && echo "$$lib" > _jcache/.library; fi
	$(BIN)/jupyter-book build $(JB_FLAGS) $(1) . || { rm -rf _build/.doctrees; exit 1; }
	@test -f _build/html/index.html
endef

book: venv export vendor
	$(call build_book,)
	@echo "book: $(CURDIR)/_build/html/index.html"

# The PDF: Sphinx's LaTeX builder, then XeLaTeX through latexmk. The notebooks are not executed again: the build reads
# their outputs from the same jupyter-cache as the HTML book (and executes only what the cache lacks).
# `vendor` because _config.yml's html_static_path names _vendor/, and Sphinx checks it under every builder.
PDF := _build/latex/chaos-book.pdf
pdf: venv export vendor tex
	@rm -f $(PDF)
	$(call build_book,--builder pdflatex)
	@test -f $(PDF) && echo "pdf: $(CURDIR)/$(PDF) ($$(pdfinfo $(PDF) | awk '/^Pages:/ {print $$2}') pages)"

# Run a command and fail if it changed anything under a folder (tracked or not, committed or not).
define no_drift
	@snap=$$(mktemp -d) && cp -a $(1) $$snap/ && $(2) && \
	if diff -ru --exclude=__pycache__ $$snap/$(notdir $(1)) $(1); then rm -rf $$snap; \
	else rm -rf $$snap; echo "$(2) changed $(1)/: run it and commit the result"; exit 1; fi
endef

step = @echo "::: $$(date +%T) $(1)"

# The browser test drives Debian's chromium (Playwright's own browser download is not reachable here).
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "the browser test needs Chromium: install the Debian package 'chromium' (sudo apt-get install chromium)"; exit 1; fi; }

# What `make pdf` needs from Debian (about 600 MB installed, 1.5 minutes on this machine): XeLaTeX and the LaTeX
# packages Sphinx loads, latexmk, the FreeFont family (Sphinx's default fonts for XeLaTeX) and poppler's pdftotext,
# pdfinfo and pdftoppm (the PDF's tests). makeindex replaces xindy (latex_use_xindy: false), so xindy is not needed.
TEX_PACKAGES := texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
                fonts-freefont-otf latexmk poppler-utils
tex:
	@have() { command -v xelatex && command -v latexmk && command -v pdftotext && command -v pdftoppm && \
	  kpsewhich fncychap.sty tabulary.sty && test -n "$$(fc-list FreeSerif)"; } >/dev/null 2>&1; \
	have || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's TeX Live for the PDF: $(TEX_PACKAGES)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      $(TEX_PACKAGES) >/dev/null; \
	  else echo "make pdf needs XeLaTeX: install the Debian packages $(TEX_PACKAGES)"; \
	    echo "(sudo apt-get install --no-install-recommends $(TEX_PACKAGES))"; exit 1; fi; }

lab: venv
	$(BIN)/jupyter lab --ServerApp.root_dir=nbs $$([ "$$(id -u)" = 0 ] && echo --allow-root)

test: venv vendor browser
	$(call step,nbdev_clean must not change nbs/)
	$(call no_drift,nbs,$(BIN)/nbdev_clean)
	$(call step,nbdev_export must not change chaos_book/)
	$(call no_drift,chaos_book,$(BIN)/nbdev_export)
	$(call step,API tests)
	$(BIN)/pytest -q -m "not slow and not cudasim" tests --ignore=tests/test_book_html.py --ignore=tests/test_browser.py \
	  --ignore=tests/test_pdf.py
	$(call step,GPU kernels under numba's CUDA simulator (bounded))
	NUMBA_ENABLE_CUDASIM=1 timeout 300 $(BIN)/pytest -q -m cudasim tests/test_gpu.py
	$(call step,book build: executes every notebook not cached for this library)
	$(call build_book,--all)
	$(call step,checks on the built HTML)
	$(BIN)/pytest -q tests/test_book_html.py
	$(call step,the book in a browser (every page; explorers with no kernel) and a chapter live in JupyterLab)
	$(BIN)/pytest -q -s tests/test_browser.py
	$(call step,make test passed)

# The audit at full size: every chapter executed again with CHAOS_BOOK_SIZE=large (no cache, no cell timeout) into a
# separate build, then the collected verdicts (audit.json, written by book_ext/audit_table.py) printed as text.
AUDIT := _build/audit
audit: venv export vendor
	@mkdir -p $(AUDIT) && start=$$(date +%s) && \
	sed -e 's/^  execute_notebooks: cache$$/  execute_notebooks: force/' -e 's/^  timeout: [0-9]*$$/  timeout: -1/' \
	    _config.yml > _config_audit.yml && \
	grep -q 'execute_notebooks: force' _config_audit.yml && \
	{ CHAOS_BOOK_SIZE=large $(BIN)/jupyter-book build $(JB_FLAGS) --all --config _config_audit.yml --path-output $(AUDIT) . \
	    > $(AUDIT)/build.log 2>&1 || { tail -40 $(AUDIT)/build.log; rm -f _config_audit.yml; exit 1; }; } && \
	rm -f _config_audit.yml && \
	$(BIN)/python -c "import json, sys; from chaos_book.audit import text_table; print(text_table(json.load(open(sys.argv[1]))))" \
	    $(AUDIT)/_build/html/audit.json && \
	echo "make audit: every chapter at CHAOS_BOOK_SIZE=large in $$(( $$(date +%s) - start )) s; book in $(AUDIT)/_build/html"

bench: venv
	@set -e; found=0; for f in benchmarks/bench_*.py; do \
	  [ -e "$$f" ] || continue; found=1; echo "== $$f"; $(BIN)/python "$$f"; done; \
	  [ $$found = 1 ] || echo "no benchmarks/bench_*.py yet"

clean:
	rm -rf _build _jcache $(VENDOR) .pytest_cache
