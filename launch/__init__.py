"""Starting the farm's processes on one machine: the demo, the end-to-end tests and the benchmarks."""
