package units

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"lighten/internal/i18n"
)

// ImportError is a fault in the national tree's files or a file of
// coordinates, located so that a person can open the file and fix it.
type ImportError struct {
	File   string // the file's name in the folder, such as "streets.csv.gz"
	Line   int    // 1-based line of the uncompressed text; 0 when the whole file is at fault
	Column string // the column at fault, as named in the header; "" when none is
	Key    string // what is wrong: a catalogue key (problem.import.*, problem.coords.*)
	Args   []any  // and its arguments
	Err    error  // the underlying error, if one caused it
}

func (e *ImportError) Error() string {
	msg := i18n.Both(e.Key, e.Args...).EN
	if e.Line > 0 {
		return fmt.Sprintf("%s line %d: %s", e.File, e.Line, msg)
	}
	return e.File + ": " + msg
}

// Message is the fault in both languages, with its file, line and column.
func (e *ImportError) Message() i18n.Text {
	msg := i18n.Both(e.Key, e.Args...)
	switch {
	case e.Line > 0 && e.Column != "":
		return i18n.Both("problem.import.at_column", e.File, e.Line, e.Column, msg)
	case e.Line > 0:
		return i18n.Both("problem.import.at_line", e.File, e.Line, msg)
	}
	return i18n.Both("problem.import.in_file", e.File, msg)
}

func (e *ImportError) Unwrap() error { return e.Err }

// unitFile describes one of the five files of the National Bureau of
// Statistics tree, as packaged by china-division.
type unitFile struct {
	level  Level
	base   string   // file name without .csv or .csv.gz
	noun   string   // what one row is called in messages, in the files' own words (problem.import.noun.*)
	header []string // the expected header; column 2, when present, is the parent
}

var unitFiles = [...]unitFile{
	{Province, "provinces", "province", []string{"code", "name"}},
	{City, "cities", "city", []string{"code", "name", "provinceCode"}},
	{County, "areas", "area", []string{"code", "name", "cityCode", "provinceCode"}},
	{Township, "streets", "street", []string{"code", "name", "areaCode", "provinceCode", "cityCode"}},
	{Village, "villages", "village", []string{"code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"}},
}

// ancestorColumns names the level of each column holding an ancestor's code.
var ancestorColumns = map[string]Level{
	"provinceCode": Province, "cityCode": City, "areaCode": County, "streetCode": Township,
}

// UnitFileNames lists the files ReadFS expects, each either gzipped
// (name.csv.gz) or plain (name.csv).
func UnitFileNames() []string {
	names := make([]string, len(unitFiles))
	for i, f := range unitFiles {
		names[i] = f.base + ".csv.gz"
	}
	return names
}

// ReadDir reads the national tree from the five files in dir; see ReadFS.
func ReadDir(dir string) ([]Unit, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, &ImportError{File: dir, Key: "problem.import.no_folder", Err: err}
	}
	if !fi.IsDir() {
		return nil, &ImportError{File: dir, Key: "problem.import.not_folder"}
	}
	us, err := ReadFS(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("read units from %s: %w", dir, err)
	}
	return us, nil
}

// ReadFS reads and checks the national tree from provinces, cities, areas,
// streets and villages (.csv.gz or .csv) at the root of fsys. The units come
// ordered by level, then by code, so parents precede their children. The
// first fault found stops the reading and is returned as an *ImportError;
// no units are returned with it.
func ReadFS(fsys fs.FS) ([]Unit, error) {
	var levels [Village + 1][]Unit
	var index map[string]int32 // codes of the level above -> position in its slice
	total := 0
	for _, f := range unitFiles {
		us, idx, err := readUnitFile(fsys, f, levels[f.level-1], index)
		if err != nil {
			return nil, err
		}
		levels[f.level], index = us, idx
		total += len(us)
	}
	all := make([]Unit, 0, total)
	for _, us := range levels[Province:] {
		// The published files are sorted already; sorting costs little then.
		slices.SortFunc(us, func(a, b Unit) int { return strings.Compare(a.Code, b.Code) })
		all = append(all, us...)
	}
	return all, nil
}

// openUnitFile opens name.csv.gz or name.csv, whichever exists, and returns
// the uncompressed text.
func openUnitFile(fsys fs.FS, f unitFile) (io.ReadCloser, string, error) {
	gz, plain := f.base+".csv.gz", f.base+".csv"
	_, errGz := fs.Stat(fsys, gz)
	_, errPlain := fs.Stat(fsys, plain)
	switch {
	case errGz == nil && errPlain == nil:
		return nil, gz, &ImportError{File: gz, Key: "problem.import.both", Args: []any{gz, plain}}
	case errGz == nil:
		file, err := fsys.Open(gz)
		if err != nil {
			return nil, gz, &ImportError{File: gz, Key: "problem.import.open", Args: []any{err}, Err: err}
		}
		zr, err := gzip.NewReader(file)
		if err != nil {
			file.Close()
			return nil, gz, gzipError(gz, 0, err)
		}
		return readCloser{zr, file}, gz, nil
	case errPlain == nil:
		file, err := fsys.Open(plain)
		if err != nil {
			return nil, plain, &ImportError{File: plain, Key: "problem.import.open", Args: []any{err}, Err: err}
		}
		return file, plain, nil
	case !errors.Is(errGz, fs.ErrNotExist):
		return nil, gz, &ImportError{File: gz, Key: "problem.import.open", Args: []any{errGz}, Err: errGz}
	default:
		return nil, gz, &ImportError{File: gz, Key: "problem.import.missing", Args: []any{gz, plain, f.nounText()},
			Err: fs.ErrNotExist}
	}
}

type readCloser struct {
	io.Reader
	file io.Closer
}

func (rc readCloser) Close() error { return rc.file.Close() }

// gzipError explains a damaged or cut-off gzip stream; line is the line
// being read when it broke, 0 at the start.
func gzipError(file string, line int, err error) *ImportError {
	e := &ImportError{File: file, Line: line, Key: "problem.import.read", Args: []any{err}, Err: err}
	switch {
	case line == 0 && errors.Is(err, io.EOF):
		e.Key, e.Args = "problem.import.gzip_empty", nil
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		e.Key, e.Args = "problem.import.gzip_cut", nil
	case errors.Is(err, gzip.ErrHeader):
		e.Key, e.Args = "problem.import.not_gzip", nil
	case errors.Is(err, gzip.ErrChecksum):
		e.Key, e.Args = "problem.import.gzip_damaged", nil
	}
	return e
}

// readUnitFile reads one level. parents and parentIndex are the level above
// and its codes; the returned index serves the level below.
func readUnitFile(fsys fs.FS, f unitFile, parents []Unit, parentIndex map[string]int32) ([]Unit, map[string]int32, error) {
	rc, name, err := openUnitFile(fsys, f)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	gzipped := strings.HasSuffix(name, ".gz")

	r := csv.NewReader(rc)
	r.ReuseRecord = true   // the strings are fresh each row; only the slice is reused
	r.FieldsPerRecord = -1 // counted here, to say which columns were expected
	fail := func(line int, column, key string, args ...any) error {
		return &ImportError{File: name, Line: line, Column: column, Key: key, Args: args}
	}
	readErr := func(line int, err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return csvError(name, pe, err)
		}
		if gzipped {
			return gzipError(name, line, err)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return &ImportError{File: name, Line: line, Key: "problem.import.cut", Err: err}
		}
		return &ImportError{File: name, Line: line, Key: "problem.import.read", Args: []any{err}, Err: err}
	}
	noun := f.nounText()

	want := strings.Join(f.header, ",")
	head, err := r.Read()
	if err == io.EOF {
		return nil, nil, fail(1, "", "problem.import.empty", want)
	}
	if err != nil {
		return nil, nil, readErr(1, err)
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\uFEFF") // a byte-order mark left by spreadsheet programs
	}
	if got := strings.Join(head, ","); got != want {
		line, _ := r.FieldPos(0)
		return nil, nil, fail(line, "", "problem.import.header", got, want)
	}

	codeLen := f.level.CodeLength()
	var parentNoun any = ""
	if f.level > Province {
		parentNoun = unitFiles[f.level-2].nounText()
	}
	var (
		us    []Unit
		seen  = map[string]int32{} // code -> line, to name the first of two duplicates
		index map[string]int32
		line  = 1
	)
	if f.level < Village {
		index = map[string]int32{}
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, readErr(line+1, err)
		}
		line, _ = r.FieldPos(0)
		if len(rec) != len(f.header) {
			return nil, nil, fail(line, "", "problem.import.columns", len(rec), len(f.header), want)
		}
		code := rec[0]
		if len(code) != codeLen || !isDigits(code) {
			if code == "" {
				return nil, nil, fail(line, "code", "problem.import.code_empty", noun)
			}
			if !isDigits(code) {
				return nil, nil, fail(line, "code", "problem.import.code_digits", noun, code)
			}
			return nil, nil, fail(line, "code", "problem.import.code_length", noun, code, len(code), codeLen)
		}
		if first, dup := seen[code]; dup {
			return nil, nil, fail(line, "code", "problem.import.duplicate", noun, code, first)
		}
		seen[code] = int32(line)
		name := strings.TrimSpace(rec[1])
		if name == "" {
			return nil, nil, fail(line, "name", "problem.import.name_empty", noun, code)
		}
		if msg, bad := badText(name); bad {
			return nil, nil, fail(line, "name", "problem.import.name_bad", noun, code, msg)
		}
		u := Unit{Code: code, Name: name, Level: f.level}
		if f.level > Province {
			parent := rec[2]
			if parent == "" {
				return nil, nil, fail(line, f.header[2], "problem.import.parent_empty", f.header[2], noun, code)
			}
			pi, ok := parentIndex[parent]
			if !ok {
				return nil, nil, fail(line, f.header[2], "problem.import.parent_unknown", parentNoun, parent, noun, code)
			}
			if !strings.HasPrefix(code, parent) {
				return nil, nil, fail(line, "code", "problem.import.parent_prefix", noun, code, parentNoun, parent)
			}
			for j, col := range f.header[3:] {
				l := ancestorColumns[col]
				if got, want := rec[3+j], code[:l.CodeLength()]; got != want {
					return nil, nil, fail(line, col, "problem.import.ancestor", col, got, noun, code, unitFiles[l-1].nounText(), want)
				}
			}
			p := parents[pi]
			u.Parent = p.Code
			u.Placeholder = IsPlaceholder(f.level, name, p.Name)
		}
		if index != nil {
			index[code] = int32(len(us))
		}
		us = append(us, u)
	}
	return us, index, nil
}

// badText says what makes a name unfit to store, and whether it is.
func badText(s string) (i18n.Text, bool) {
	if !utf8.ValidString(s) {
		return i18n.Both("problem.import.not_utf8"), true
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return i18n.Both("problem.import.control", r), true
		}
	}
	return i18n.Text{}, false
}

// nounText is what one row of f is called, in both languages.
func (f unitFile) nounText() i18n.Text { return i18n.Both("problem.import.noun." + f.noun) }

// csvError locates a fault of CSV syntax, saying the usual ones in both
// languages.
func csvError(file string, pe *csv.ParseError, err error) *ImportError {
	e := &ImportError{File: file, Line: pe.Line, Key: "problem.import.csv", Args: []any{pe.Column, pe.Err}, Err: err}
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		e.Key, e.Args = "problem.import.csv_quote", []any{pe.Column}
	case errors.Is(pe.Err, csv.ErrBareQuote):
		e.Key, e.Args = "problem.import.csv_bare_quote", []any{pe.Column}
	}
	return e
}
