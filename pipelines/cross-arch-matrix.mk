# pipelines/cross-arch-matrix.mk - the CPU cells of the cross-architecture
# matrix on one machine (docs/CROSS_ARCH_REPRODUCIBILITY.md).
#
#   make cross-arch-matrix      x86-avx2, x86-avx512 and arm64-neon (under
#                               qemu-aarch64) llama-servers x the model files
#                               x {-np 1 -j 1, -np 8 -j 8} x the canonical
#                               triage and estimation runs, each puma-diffed
#                               against x86-avx2 -np 1: $(XAM_OUT)/table.md
#
# Variables (see pipelines/cross-arch-matrix.sh): XAM_MODELS="F16=a.gguf
# Q8_0=b.gguf Q4_K_M=c.gguf", XAM_BACKENDS, XAM_NP, XAM_SCENARIOS, XAM_SKIP
# (cells not to run, e.g. "arm64-neon/F16/*/*"), XAM_N, XAM_NUM_PREDICT,
# XAM_THREADS, XAM_CTX, XAM_OUT.  Builds each backend's llama-server on
# first use (about 10 minutes each); finished cells are kept and reused.

XAM_OUT ?= $(RUNS)/cross-arch-matrix

# This file is read before protocol.mk and data.mk, so what it needs from
# them is named in the recipe, which is expanded only when it runs.
.PHONY: cross-arch-matrix
cross-arch-matrix:
	@$(MAKE) --no-print-directory -s $(TOOLS_DEP) $(DATA)/triage_jira.jsonl $(DATA)/estimation_tawos.jsonl
	@PUMA_BIN=$(P) MAKE='$(MAKE)' XAM_OUT='$(XAM_OUT)' XAM_DATA='$(DATA)' bash pipelines/cross-arch-matrix.sh
