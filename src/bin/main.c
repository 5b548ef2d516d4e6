#include <stdio.h>
int main(void) { puts("campus"); return 0; }
