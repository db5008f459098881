package units

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// excerptDir holds 湖南省 with 长沙市 and 益阳市, cut from the national files.
const excerptDir = "../../testdata/units/excerpt"

// excerptCounts are the excerpt's units per level.
var excerptCounts = [Village + 1]int{Province: 1, City: 2, County: 17, Township: 270, Village: 3095}

func TestReadExcerpt(t *testing.T) {
	us, err := ReadDir(excerptDir)
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, us)
	var counts [Village + 1]int
	for _, u := range us {
		counts[u.Level]++
	}
	if counts != excerptCounts {
		t.Fatalf("units per level %v, want %v", counts, excerptCounts)
	}
	tree := NewTree(1, us)
	path := tree.Path("430922112002")
	var names []string
	for _, u := range path {
		names = append(names, u.Name)
	}
	if got := strings.Join(names, "/"); got != "湖南省/益阳市/桃江县/桃花江镇/凤凰山社区" {
		t.Fatalf("path %s", got)
	}
	if c := tree.SubtreeCounts("430922"); c[Township] != 15 || c[Village] != 247 {
		t.Fatalf("桃江县 holds %d townships and %d villages, want 15 and 247", c[Township], c[Village])
	}
}

// The demo county embedded in lighten: 桃江县 and the path to it.
func TestReadDemoCounty(t *testing.T) {
	us, err := ReadFS(os.DirFS("../demo/data"))
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, us)
	tree := NewTree(1, us)
	c := tree.SubtreeCounts("")
	if c != [Village + 1]int{0: 265, Province: 1, City: 1, County: 1, Township: 15, Village: 247} {
		t.Fatalf("demo counts %v", c)
	}
	if u, ok := tree.Get("430922"); !ok || u.Name != "桃江县" || u.Parent != "4309" {
		t.Fatalf("demo county %+v", u)
	}
}

// checkTree asserts what ReadFS promises of any tree it returns.
func checkTree(t testing.TB, us []Unit) {
	t.Helper()
	byCode := map[string]Unit{}
	for i, u := range us {
		if !ValidCode(u.Code, u.Level) {
			t.Fatalf("unit %d: code %q is not a %s code", i, u.Code, u.Level)
		}
		if _, dup := byCode[u.Code]; dup {
			t.Fatalf("code %s twice", u.Code)
		}
		if i > 0 {
			p := us[i-1]
			if p.Level > u.Level || p.Level == u.Level && p.Code >= u.Code {
				t.Fatalf("unit %s (%s) comes after %s (%s)", u.Code, u.Level, p.Code, p.Level)
			}
		}
		if u.Name == "" || u.Name != strings.TrimSpace(u.Name) {
			t.Fatalf("unit %s has name %q", u.Code, u.Name)
		}
		if u.Level == Province {
			if u.Parent != "" || u.Placeholder {
				t.Fatalf("province %+v", u)
			}
		} else {
			parent, ok := byCode[u.Parent]
			if !ok || parent.Level != u.Level-1 || !strings.HasPrefix(u.Code, u.Parent) || ParentCode(u.Code) != u.Parent {
				t.Fatalf("unit %+v has parent %+v (known %v)", u, parent, ok)
			}
			if u.Placeholder != IsPlaceholder(u.Level, u.Name, parent.Name) {
				t.Fatalf("unit %+v placeholder mark is wrong", u)
			}
		}
		byCode[u.Code] = u
	}
}

// readExcerpt returns the excerpt's files by base name ("streets"),
// uncompressed.
func readExcerpt(t testing.TB) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, f := range unitFiles {
		b, err := os.ReadFile(filepath.Join(excerptDir, f.base+".csv.gz"))
		if err != nil {
			t.Fatal(err)
		}
		files[f.base] = string(gunzip(t, b))
	}
	return files
}

func gunzip(t testing.TB, b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func gzipped(text string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(text))
	zw.Close()
	return b.Bytes()
}

// folder is a set of files by name, such as "streets.csv.gz".
type folder map[string][]byte

func gzipFolder(texts map[string]string) folder {
	d := folder{}
	for base, text := range texts {
		d[base+".csv.gz"] = gzipped(text)
	}
	return d
}

func (d folder) fs() fstest.MapFS {
	m := fstest.MapFS{}
	for name, b := range d {
		m[name] = &fstest.MapFile{Data: b}
	}
	return m
}

// editLines changes the lines of one file of texts; line n is lines[n-1].
func editLines(texts map[string]string, base string, fn func(lines []string) []string) {
	lines := strings.Split(strings.TrimSuffix(texts[base], "\n"), "\n")
	texts[base] = strings.Join(fn(lines), "\n") + "\n"
}

func setLine(n int, s string) func([]string) []string {
	return func(lines []string) []string { lines[n-1] = s; return lines }
}

func appendLine(s string) func([]string) []string {
	return func(lines []string) []string { return append(lines, s) }
}

// brokenCase is a fault planted in the excerpt and the error it must raise.
type brokenCase struct {
	name   string
	text   func(texts map[string]string) // edits the uncompressed files
	files  func(d folder)                // edits the folder after compression
	file   string
	line   int
	column string
	msg    string // Error() in full; "…" stands for any line number
}

var brokenCases = []brokenCase{
	{name: "unknown parent",
		text: func(x map[string]string) {
			editLines(x, "streets", appendLine(`430999001,"新街道",430999,43,4309`))
		},
		file: "streets.csv.gz", line: 272, column: "areaCode",
		msg: "streets.csv.gz line 272: unknown parent area 430999 for street 430999001"},
	{name: "empty parent",
		text: func(x map[string]string) { editLines(x, "cities", setLine(2, `4301,"长沙市",`)) },
		file: "cities.csv.gz", line: 2, column: "provinceCode",
		msg: "cities.csv.gz line 2: the provinceCode of city 4301 is empty"},
	{name: "code too short",
		text: func(x map[string]string) { editLines(x, "areas", setLine(2, `43010,"芙蓉区",4301,43`)) },
		file: "areas.csv.gz", line: 2, column: "code",
		msg: "areas.csv.gz line 2: area code 43010 has 5 digits, expected 6"},
	{name: "village code too long",
		text: func(x map[string]string) {
			editLines(x, "villages", setLine(7, `4301020010061,"某社区",430102001,43,4301,430102`))
		},
		file: "villages.csv.gz", line: 7, column: "code",
		msg: "villages.csv.gz line 7: village code 4301020010061 has 13 digits, expected 12"},
	{name: "code not digits",
		text: func(x map[string]string) { editLines(x, "areas", setLine(3, `4301O3,"天心区",4301,43`)) },
		file: "areas.csv.gz", line: 3, column: "code",
		msg: `areas.csv.gz line 3: area code "4301O3" must be digits only`},
	{name: "empty code",
		text: func(x map[string]string) { editLines(x, "provinces", setLine(2, `,"湖南省"`)) },
		file: "provinces.csv.gz", line: 2, column: "code",
		msg: "provinces.csv.gz line 2: the province code is empty"},
	{name: "code outside its parent",
		text: func(x map[string]string) {
			editLines(x, "streets", setLine(3, `430202002,"朝阳街街道",430102,43,4301`))
		},
		file: "streets.csv.gz", line: 3, column: "code",
		msg: "streets.csv.gz line 3: street code 430202002 does not begin with its parent area's code 430102"},
	{name: "ancestor column disagrees",
		text: func(x map[string]string) {
			editLines(x, "villages", setLine(4, `430102001003,"西湖楼社区居委会",430102001,44,4301,430102`))
		},
		file: "villages.csv.gz", line: 4, column: "provinceCode",
		msg: `villages.csv.gz line 4: provinceCode is "44" but village 430102001003 lies in province 43`},
	{name: "duplicate code",
		text: func(x map[string]string) {
			editLines(x, "villages", appendLine(`430102001001,"识字里社区居委会",430102001,43,4301,430102`))
		},
		file: "villages.csv.gz", line: 3097, column: "code",
		msg: "villages.csv.gz line 3097: duplicate village code 430102001001 (first on line 2)"},
	{name: "bad header",
		text: func(x map[string]string) { editLines(x, "cities", setLine(1, "code,name,province")) },
		file: "cities.csv.gz", line: 1,
		msg: `cities.csv.gz line 1: the header is "code,name,province"; expected "code,name,provinceCode"`},
	{name: "header missing",
		text: func(x map[string]string) { editLines(x, "provinces", func(l []string) []string { return l[1:] }) },
		file: "provinces.csv.gz", line: 1,
		msg: `provinces.csv.gz line 1: the header is "43,湖南省"; expected "code,name"`},
	{name: "missing column",
		text: func(x map[string]string) {
			editLines(x, "villages", setLine(10, `430102001009,"某社区",430102001,43,4301`))
		},
		file: "villages.csv.gz", line: 10,
		msg: "villages.csv.gz line 10: 5 columns, expected 6 (code,name,streetCode,provinceCode,cityCode,areaCode)"},
	{name: "extra column",
		text: func(x map[string]string) { editLines(x, "cities", setLine(2, `4301,"长沙市",43,x`)) },
		file: "cities.csv.gz", line: 2,
		msg: "cities.csv.gz line 2: 4 columns, expected 3 (code,name,provinceCode)"},
	{name: "empty name",
		text: func(x map[string]string) {
			editLines(x, "streets", setLine(5, `430102005,"  ",430102,43,4301`))
		},
		file: "streets.csv.gz", line: 5, column: "name",
		msg: "streets.csv.gz line 5: the name of street 430102005 is empty"},
	{name: "name not UTF-8",
		text: func(x map[string]string) {
			editLines(x, "areas", setLine(4, "430104,\"\xd4\xc0\xc2\xb4\xc7\xf8\",4301,43")) // 岳麓区 in GBK
		},
		file: "areas.csv.gz", line: 4, column: "name",
		msg: "areas.csv.gz line 4: the name of area 430104 is not valid UTF-8; save the file as UTF-8 (it may be in GBK)"},
	{name: "name with a line break",
		text: func(x map[string]string) { editLines(x, "areas", setLine(5, "430105,\"开福\n区\",4301,43")) },
		file: "areas.csv.gz", line: 5, column: "name",
		msg: "areas.csv.gz line 5: the name of area 430105 holds the control character U+000A"},
	{name: "stray quote",
		text: func(x map[string]string) {
			editLines(x, "streets", setLine(3, `430102002,"朝阳"街街道",430102,43,4301`))
		},
		file: "streets.csv.gz", line: 3,
		msg: `streets.csv.gz line 3: column 18: extraneous or missing " in quoted-field`},
	{name: "empty file",
		text: func(x map[string]string) { x["areas"] = "" },
		file: "areas.csv.gz", line: 1,
		msg: "areas.csv.gz line 1: the file is empty; its first line must be the header code,name,cityCode,provinceCode"},
	{name: "empty gzip file",
		files: func(d folder) { d["streets.csv.gz"] = nil },
		file:  "streets.csv.gz",
		msg:   "streets.csv.gz: the file is empty (0 bytes); it must hold gzip-compressed CSV starting with a header line"},
	{name: "truncated gzip",
		files: func(d folder) { d["villages.csv.gz"] = d["villages.csv.gz"][:len(d["villages.csv.gz"])/2] },
		file:  "villages.csv.gz",
		msg:   "villages.csv.gz line …: the file ends early: it was cut off (an incomplete download or copy?); fetch it again"},
	{name: "not gzip",
		files: func(d folder) { d["provinces.csv.gz"] = []byte("code,name\n43,\"湖南省\"\n") },
		file:  "provinces.csv.gz",
		msg:   "provinces.csv.gz: not gzip data; a .csv.gz file must be gzip-compressed (rename it to .csv if it is plain text)"},
	{name: "damaged gzip",
		files: func(d folder) {
			b := slices.Clone(d["cities.csv.gz"])
			b[len(b)-6] ^= 0xff // a byte of the CRC-32 in the trailer
			d["cities.csv.gz"] = b
		},
		file: "cities.csv.gz",
		msg:  "cities.csv.gz line …: the gzip data is damaged (checksum mismatch); fetch the file again"},
	{name: "missing file",
		files: func(d folder) { delete(d, "streets.csv.gz") },
		file:  "streets.csv.gz",
		msg:   "streets.csv.gz: missing: the folder must hold streets.csv.gz or streets.csv, one row per street"},
	{name: "both gzipped and plain",
		files: func(d folder) { d["cities.csv"] = []byte("code,name,provinceCode\n") },
		file:  "cities.csv.gz",
		msg:   "cities.csv.gz: both cities.csv.gz and cities.csv are present; keep only one of them"},
}

func TestReadBroken(t *testing.T) {
	for _, c := range brokenCases {
		t.Run(c.name, func(t *testing.T) {
			texts := readExcerpt(t)
			if c.text != nil {
				c.text(texts)
			}
			d := gzipFolder(texts)
			if c.files != nil {
				c.files(d)
			}
			us, err := ReadFS(d.fs())
			checkBroken(t, c, us, err)
		})
	}
}

func checkBroken(t *testing.T, c brokenCase, us []Unit, err error) {
	t.Helper()
	if us != nil {
		t.Errorf("%d units returned with the error", len(us))
	}
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v (%T), want an *ImportError", err, err)
	}
	if ie.File != c.file || c.line != 0 && ie.Line != c.line || ie.Column != c.column {
		t.Errorf("at %s line %d column %q, want %s line %d column %q", ie.File, ie.Line, ie.Column, c.file, c.line, c.column)
	}
	if before, after, ok := strings.Cut(c.msg, "…"); ok {
		// The line of a broken gzip stream depends on where it broke.
		if !strings.HasPrefix(ie.Error(), before) || !strings.HasSuffix(ie.Error(), after) || ie.Line < 1 {
			t.Errorf("error\n  %s\nwant\n  %s", ie, c.msg)
		}
	} else if ie.Error() != c.msg {
		t.Errorf("error\n  %s\nwant\n  %s", ie, c.msg)
	}
	checkBothLanguages(t, ie)
}

func TestReadPlainCSV(t *testing.T) {
	texts := readExcerpt(t)
	dir := t.TempDir()
	for base, text := range texts {
		// Windows line ends and a byte-order mark, as a spreadsheet saves them.
		text = "\uFEFF" + strings.ReplaceAll(text, "\n", "\r\n")
		if err := os.WriteFile(filepath.Join(dir, base+".csv"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plain, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := ReadDir(excerptDir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(plain, gz) {
		t.Fatalf("plain files read %d units, gzipped %d, or they differ", len(plain), len(gz))
	}

	// A fault in a plain file names the plain file.
	os.WriteFile(filepath.Join(dir, "areas.csv"), []byte("code,name,cityCode,provinceCode\n439999,\"某区\",4399,43\n"), 0o644)
	_, err = ReadDir(dir)
	var ie *ImportError
	if !errors.As(err, &ie) || ie.File != "areas.csv" || ie.Line != 2 || !strings.Contains(err.Error(), "unknown parent city 4399 for area 439999") {
		t.Fatalf("error %v", err)
	}
}

func TestReadDirMissing(t *testing.T) {
	if _, err := ReadDir(filepath.Join(t.TempDir(), "nowhere")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing folder: %v", err)
	}
	file := filepath.Join(t.TempDir(), "villages.csv.gz")
	os.WriteFile(file, nil, 0o644)
	var nf *ImportError
	if _, err := ReadDir(file); !errors.As(err, &nf) || !strings.Contains(err.Error(), "not a folder") ||
		nf.Message().ZH != file+"：不是文件夹；请给出存放 provinces.csv.gz 等五个文件的文件夹" {
		t.Fatalf("file for a folder: %v", err)
	}
	_, err := ReadDir(t.TempDir())
	var ie *ImportError
	if !errors.As(err, &ie) || ie.File != "provinces.csv.gz" || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("empty folder: %v", err)
	}
}

// The statistical placeholders are kept and marked, real units are not.
func TestReadPlaceholders(t *testing.T) {
	texts := map[string]string{
		"provinces": "code,name\n44,\"广东省\"\n50,\"重庆市\"\n",
		"cities":    "code,name,provinceCode\n4419,\"东莞市\",44\n5001,\"市辖区\",50\n5002,\"县\",50\n",
		"areas":     "code,name,cityCode,provinceCode\n441900,\"东莞市\",4419,44\n500101,\"万州区\",5001,50\n500229,\"城口县\",5002,50\n",
		"streets":   "code,name,areaCode,provinceCode,cityCode\n441900003,\"东城街道\",441900,44,4419\n",
		"villages":  "code,name,streetCode,provinceCode,cityCode,areaCode\n441900003001,\"东城社区\",441900003,44,4419,441900\n",
	}
	us, err := ReadFS(gzipFolder(texts).fs())
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, us)
	var marked []string
	for _, u := range us {
		if u.Placeholder {
			marked = append(marked, u.Code)
		}
	}
	if want := []string{"5001", "5002", "441900"}; !slices.Equal(marked, want) {
		t.Fatalf("placeholders %v, want %v", marked, want)
	}
}

// Rows out of order come back in tree order.
func TestReadUnsorted(t *testing.T) {
	texts := readExcerpt(t)
	editLines(texts, "villages", func(l []string) []string {
		body := l[1:]
		slices.Reverse(body)
		return l
	})
	us, err := ReadFS(gzipFolder(texts).fs())
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, us)
	if len(us) != 3385 {
		t.Fatalf("%d units", len(us))
	}
}

func FuzzReadUnits(f *testing.F) {
	// Seeds: the demo county's files, cut short, and a few faults.
	demo := map[string]string{}
	for _, u := range unitFiles {
		b, err := os.ReadFile(filepath.Join("../demo/data", u.base+".csv.gz"))
		if err != nil {
			f.Fatal(err)
		}
		text := string(gunzip(f, b))
		if lines := strings.SplitAfter(text, "\n"); len(lines) > 6 {
			text = strings.Join(lines[:6], "")
		}
		demo[u.base] = text
	}
	f.Add([]byte(demo["cities"]), []byte(demo["areas"]), []byte(demo["streets"]), []byte(demo["villages"]))
	f.Add([]byte("code,name,provinceCode\n4309,\"益阳市\",43\n4309,\"益阳市\",43\n"), []byte(demo["areas"]), []byte(demo["streets"]), []byte(demo["villages"]))
	f.Add([]byte(demo["cities"]), []byte("code,name,cityCode,provinceCode\n430922,\"益阳市\",4309,43\n"), []byte("code,name,areaCode,provinceCode,cityCode\n\"430922100\",\"桃花\"\"江镇\",430922,43,4309\r\n"), []byte(demo["villages"]))
	f.Add([]byte("\uFEFFcode,name,provinceCode\n4309,\"a\nb\",43"), []byte{}, []byte(`"`), []byte("\xff"))
	f.Fuzz(func(t *testing.T, cities, areas, streets, villages []byte) {
		fsys := fstest.MapFS{
			"provinces.csv": {Data: []byte(demo["provinces"])},
			"cities.csv":    {Data: cities},
			"areas.csv":     {Data: areas},
			"streets.csv":   {Data: streets},
			"villages.csv":  {Data: villages},
		}
		us, err := ReadFS(fsys)
		if err == nil {
			checkTree(t, us)
			return
		}
		if us != nil {
			t.Fatalf("units returned with error %v", err)
		}
		var ie *ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("error %v (%T), want an *ImportError", err, err)
		}
		data, ok := fsys[ie.File]
		if !ok {
			t.Fatalf("error names %q, not one of the files", ie.File)
		}
		if lines := bytes.Count(data.Data, []byte("\n")) + 1; ie.Line < 1 || ie.Line > lines {
			t.Fatalf("error at line %d of a file of %d lines: %v", ie.Line, lines, err)
		}
		if !strings.HasPrefix(err.Error(), ie.File+" line ") {
			t.Fatalf("error does not start with file and line: %v", err)
		}
	})
}
