package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

const importExcerpt = "../../testdata/units/excerpt"

func importCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = cmdImport(context.Background(), i18n.EN, args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestImportUnitsCommand(t *testing.T) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			dsn := storetest.DSN(t, k)
			out, log, err := importCmd(t, "units", "--db", dsn, importExcerpt)
			if err != nil {
				t.Fatalf("%v\n%s", err, log)
			}
			if !regexp.MustCompile(`^imported 3385 units into .+ in [0-9.]+ s: 3385 added, 0 renamed, 0 unchanged\n$`).MatchString(out) {
				t.Fatalf("summary %q", out)
			}
			// Without a terminal, progress is plain lines ending at the total.
			if !strings.Contains(log, "read 3385 units") || !strings.HasSuffix(log, "imported 3385/3385 units\n") {
				t.Fatalf("progress:\n%s", log)
			}
			if n := strings.Count(log, "/3385 units\n"); n < 1 || n > 10 {
				t.Fatalf("%d progress lines, want at most one a tenth:\n%s", n, log)
			}

			// Flags after the folder; a second run adds nothing.
			out, _, err = importCmd(t, "units", importExcerpt, "--db", dsn)
			if err != nil || !strings.HasSuffix(out, ": 0 added, 0 renamed, 3385 unchanged\n") {
				t.Fatalf("second run: %q %v", out, err)
			}
			db := openImported(t, dsn)
			tree, err := db.Tree(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if u, ok := tree.Get("430922"); !ok || u.Name != "桃江县" || u.Parent != "4309" || tree.Len() != 3385 {
				t.Fatalf("430922 is %+v (%v) in a tree of %d", u, ok, tree.Len())
			}
			if n, err := db.VerifyAudit(context.Background()); err != nil || n != 2 {
				t.Fatalf("audit: %d records, %v", n, err)
			}
		})
	}
}

func openImported(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// importBroken plants one fault in a copy of the excerpt.
type importBroken struct {
	name string
	file string
	edit func(lines []string) []string // nil: fault planted by plant
	// plant changes the folder itself (cuts or removes a file).
	plant func(t *testing.T, dir string)
	want  string // the fault as the error names it
}

var importBrokenCases = []importBroken{
	{name: "unknown parent", file: "streets",
		edit: func(l []string) []string { return append(l, `430999001,"新街道",430999,43,4309`) },
		want: "streets.csv.gz line 272: unknown parent area 430999 for street 430999001"},
	{name: "wrong length", file: "areas",
		edit: func(l []string) []string { l[1] = `43010,"芙蓉区",4301,43`; return l },
		want: "areas.csv.gz line 2: area code 43010 has 5 digits, expected 6"},
	{name: "not digits", file: "villages",
		edit: func(l []string) []string { l[2] = `43010200100X,"银杉社区",430102001,43,4301,430102`; return l },
		want: `villages.csv.gz line 3: village code "43010200100X" must be digits only`},
	{name: "outside its parent", file: "streets",
		edit: func(l []string) []string { l[2] = `430202002,"朝阳街街道",430102,43,4301`; return l },
		want: "streets.csv.gz line 3: street code 430202002 does not begin with its parent area's code 430102"},
	{name: "duplicate", file: "villages",
		edit: func(l []string) []string { return append(l, l[1]) },
		want: "villages.csv.gz line 3097: duplicate village code 430102001001 (first on line 2)"},
	{name: "bad header", file: "areas",
		edit: func(l []string) []string { l[0] = "code,name,cityCode"; return l },
		want: `areas.csv.gz line 1: the header is "code,name,cityCode"; expected "code,name,cityCode,provinceCode"`},
	{name: "missing column", file: "cities",
		edit: func(l []string) []string { l[2] = `4309,"益阳市"`; return l },
		want: "cities.csv.gz line 3: 2 columns, expected 3 (code,name,provinceCode)"},
	{name: "extra column", file: "villages",
		edit: func(l []string) []string { l[5] += ",430102"; return l },
		want: "villages.csv.gz line 6: 7 columns, expected 6 (code,name,streetCode,provinceCode,cityCode,areaCode)"},
	{name: "empty name", file: "streets",
		edit: func(l []string) []string {
			f := strings.Split(l[9], ",")
			f[1] = `""`
			l[9] = strings.Join(f, ",")
			return l
		},
		want: "streets.csv.gz line 10: the name of street 430102013 is empty"},
	{name: "truncated gzip", file: "villages",
		plant: func(t *testing.T, dir string) {
			p := filepath.Join(dir, "villages.csv.gz")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)*2/3], 0o644)
		},
		want: "the file ends early: it was cut off"},
	{name: "missing file", file: "areas",
		plant: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "areas.csv.gz")) },
		want:  "areas.csv.gz: missing: the folder must hold areas.csv.gz or areas.csv"},
}

// Every fault stops the import with its file and line, and the database
// keeps its units, its tree version and its audit chain unchanged.
func TestImportUnitsBroken(t *testing.T) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, k)
			if _, log, err := importCmd(t, "units", "--db", dsn, importExcerpt); err != nil {
				t.Fatalf("%v\n%s", err, log)
			}
			db := openImported(t, dsn)
			before, err := db.LoadUnits(ctx)
			if err != nil {
				t.Fatal(err)
			}
			version, _ := db.UnitsVersion(ctx)
			for _, c := range importBrokenCases {
				t.Run(c.name, func(t *testing.T) {
					dir := copyExcerpt(t)
					if c.edit != nil {
						editGzipLines(t, filepath.Join(dir, c.file+".csv.gz"), c.edit)
					}
					if c.plant != nil {
						c.plant(t, dir)
					}
					out, _, err := importCmd(t, "units", "--db", dsn, dir)
					var ie *units.ImportError
					if !errors.As(err, &ie) || ie.File != c.file+".csv.gz" {
						t.Fatalf("error %v, want a fault in %s.csv.gz", err, c.file)
					}
					if !strings.Contains(err.Error(), c.want) || !strings.HasSuffix(err.Error(), "; nothing was written") {
						t.Fatalf("error\n  %v\nwant it to say\n  %s", err, c.want)
					}
					if c.plant == nil || c.name == "truncated gzip" {
						if !regexp.MustCompile(c.file + `\.csv\.gz line [1-9][0-9]*: `).MatchString(err.Error()) {
							t.Fatalf("error names no line: %v", err)
						}
					}
					if out != "" {
						t.Fatalf("a failed import printed a summary: %q", out)
					}
					after, err := db.LoadUnits(ctx)
					if err != nil {
						t.Fatal(err)
					}
					v, _ := db.UnitsVersion(ctx)
					n, err := db.VerifyAudit(ctx)
					if len(after) != len(before) || v != version || n != 1 || err != nil {
						t.Fatalf("database changed: %d units (was %d), version %d (was %d), %d audit records (was 1), %v",
							len(after), len(before), v, version, n, err)
					}
				})
			}
		})
	}
}

func copyExcerpt(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range units.UnitFileNames() {
		b, err := os.ReadFile(filepath.Join(importExcerpt, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// editGzipLines rewrites the lines of a gzipped file; lines[0] is the header.
func editGzipLines(t *testing.T, path string, edit func([]string) []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	lines := edit(strings.Split(strings.TrimSuffix(string(text), "\n"), "\n"))
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(strings.Join(lines, "\n") + "\n"))
	zw.Close()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestImportUnitsUsage(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "lighten.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "say what to import"},
		{[]string{"people"}, `unknown kind "people"`},
		{[]string{"units", "--db", dsn}, "give one folder, not 0"},
		{[]string{"units", "--db", dsn, "a", "b"}, "give one folder, not 2"},
		{[]string{"units", "--nope", importExcerpt}, "flag provided but not defined: -nope"},
		{[]string{"units", "--db", dsn, filepath.Join(t.TempDir(), "nowhere")}, "no such folder; give the folder that holds provinces.csv.gz and the other four files; nothing was written"},
	} {
		_, _, err := importCmd(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("lighten import %s: %v, want %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	_, log, err := importCmd(t, "units", "-h")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(log, "usage: lighten import units [--db URL] DIR") {
		t.Fatalf("help: %v\n%s", err, log)
	}
	if _, err := os.Stat(dsn); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed import created the database: %v", err)
	}

	// $LIGHTEN_DB is the default database.
	t.Setenv("LIGHTEN_DB", dsn)
	if out, _, err := importCmd(t, "units", importExcerpt); err != nil || !strings.Contains(out, dsn) {
		t.Fatalf("with LIGHTEN_DB: %q %v", out, err)
	}
}
