// Command lighten-bench measures lighten against the goals its issues set,
// on the real national data, and prints markdown tables for
// docs/benchmarks.md. Figures are medians or percentiles of many runs, each
// with a baseline measured in the same run, since these machines are noisy.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func numCPU() int { return runtime.NumCPU() }

const usage = `usage: lighten-bench BENCHMARK [flags]

benchmarks:
  import   full national unit import on SQLite and PostgreSQL: seconds, rows/s, peak memory
  tree     unit search and subtree counts over the national tree, through the API
  gate     gate checks of reports to a county, a province and the country; single-unit checks per second
  visits   joint scheduling of a national quarter, its quality against cbc, draws over the national pool
  collect  collect once: national gate check with values held, completeness, export, ingest through the API
  load     concurrent users of mixed work against a server on a county: throughput, latency, errors, hangs
  backup   backup, restore and verify of the national database: seconds and sizes
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "import":
		err = benchImport(os.Args[2:])
	case "tree":
		fmt.Printf("machine: %s\n\n", machine())
		err = benchTree(os.Args[2:])
	case "gate":
		fmt.Printf("machine: %s\n\n", machine())
		err = benchGate(os.Args[2:])
	case "visits":
		fmt.Printf("machine: %s\n\n", machine())
		err = benchVisits(os.Args[2:])
	case "collect":
		err = benchCollect(os.Args[2:])
	case "load":
		fmt.Printf("machine: %s\n\n", machine())
		err = benchLoad(os.Args[2:])
	case "backup":
		fmt.Printf("machine: %s\n\n", machine())
		err = benchBackup(os.Args[2:])
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lighten-bench:", err)
		os.Exit(1)
	}
}
