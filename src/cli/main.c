/* main.c: the `ludus` command. The only place that prints freely or exits. */
#include <stdio.h>
#include "ludus/ludus.h"
int main(void) { printf("ludus %s\n", ludus_version()); return 0; }
