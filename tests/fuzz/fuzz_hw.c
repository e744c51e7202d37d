/* libFuzzer target for the readers of system text in hw.c: any bytes as
 * /proc/meminfo, /proc/cpuinfo, vm_stat, sysctl, nvidia-smi, rocm-smi and
 * system_profiler output.  None may crash, and what they keep must hold
 * together: GPUs named, VRAM either known (>= 0) or HW_UNKNOWN. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hw h;
	char *text = malloc(size + 1);
	char err[300];
	long long total, avail, cores, threads;
	const char *model;
	int est;
	size_t i;

	memcpy(text, data, size);
	text[size] = '\0';
	memset(&h, 0, sizeof(h));
	hw_parse_meminfo(text, &total, &avail, &est);
	hw_parse_cpuinfo(&h.a, text, &model, &cores, &threads);
	if (cores != HW_UNKNOWN && (cores < 0 || cores > threads))
		abort();	/* more cores than processors listed */
	hw_parse_vm_stat(text);
	hw_parse_count(text);
	hw_parse_nvidia(&h, text, err, sizeof(err));
	hw_parse_rocm(&h, text, err, sizeof(err));
	hw_parse_profiler(&h, text, err, sizeof(err));
	for (i = 0; i < h.ngpus; i++)
		if (h.gpus[i].name == NULL || (h.gpus[i].vram_bytes < 0 && h.gpus[i].vram_bytes != HW_UNKNOWN))
			abort();
	hw_free(&h);
	free(text);
	return 0;
}
