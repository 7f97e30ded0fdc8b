#include <cstdio>
int main() { std::puts("vigil"); return 0; }
