package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lighten/internal/i18n"
	"lighten/internal/upload"
	"lighten/internal/upload/uploadtest"
)

// The register's reader holds a file to the limits of every upload: a
// workbook whose sheet unzips to 200 MiB, one whose shared text holds a
// million empty rich text runs, and a CSV header of a million columns are
// refused before they are parsed, allocating a few MiB (the runtime's own
// count, so this test does not run in parallel); a file over 8 MiB is not
// read past its limit.
func TestRegisterBombsRefused(t *testing.T) {
	header := uploadtest.Workbook(uploadtest.Sheet{Name: "名录", Rows: uploadtest.Numbered(2, "number", "name")})
	for name, c := range map[string]struct {
		path  string
		data  []byte
		limit string
	}{
		"sheet":       {"r.xlsx", uploadtest.Bomb("名录", 200*uploadtest.MiB), "sheet"},
		"shared text": {"r.xlsx", uploadtest.SharedBomb(header, 1_000_000, `<r><t></t></r>`), "shared_elements"},
		"cell":        {"r.xlsx", uploadtest.Workbook(uploadtest.Sheet{Name: "名录", Rows: uploadtest.Numbered(1, strings.Repeat(`</t><t>`, 300))}), "cell_elements"},
		"CSV header":  {"r.csv", []byte(strings.Repeat("x,", 1_000_000) + "\n"), "columns"},
	} {
		var err error
		alloc := uploadtest.Allocated(func() { _, err = readTable(context.Background(), c.path, c.data) })
		var le *upload.LimitError
		if !errors.As(err, &le) || le.Limit != c.limit {
			t.Errorf("%s: %v, want the %s limit", name, err, c.limit)
		}
		if alloc > 16*uploadtest.MiB {
			t.Errorf("%s: refusing %d KiB allocated %d MiB", name, len(c.data)>>10, alloc/uploadtest.MiB)
		}
	}
	// Within the limits, the first sheet reads as before.
	rows, err := readTable(context.Background(), "r.xlsx", header)
	if err != nil || len(rows) != 2 || rows[1][1] != "name" {
		t.Fatalf("%q %v", rows, err)
	}
	big := filepath.Join(t.TempDir(), "big.csv")
	os.WriteFile(big, make([]byte, registerLimits.File+1), 0o600)
	if _, err := readRegisterFile(big); !strings.Contains(errorText(i18n.EN, err), "The file is too large: at most 8 MiB.") {
		t.Fatalf("a large file: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := readTable(ctx, "r.xlsx", header); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
