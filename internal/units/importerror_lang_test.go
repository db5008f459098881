package units

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var (
	latin  = regexp.MustCompile(`[A-Za-z]{2,}`)
	quoted = regexp.MustCompile(`“[^”]*”`)
)

// untranslated reports what of a Chinese message is English, once the
// quoted values, the file names and the names of columns and formats are
// taken out.
func untranslated(zh string) []string {
	zh = quoted.ReplaceAllString(zh, "")
	for _, f := range unitFiles {
		zh = strings.ReplaceAll(zh, f.base+".csv.gz", "")
		zh = strings.ReplaceAll(zh, f.base+".csv", "")
		for _, h := range f.header {
			zh = strings.ReplaceAll(zh, h, "")
		}
	}
	for _, w := range []string{".csv.gz", ".csv", "gzip", "CSV", "UTF", "GBK"} {
		zh = strings.ReplaceAll(zh, w, "")
	}
	return latin.FindAllString(zh, -1)
}

// checkBothLanguages checks that a fault in the national tree's files
// says itself in both languages, naming the file, the line and the column,
// and that Error stays the English (every broken case of TestReadBroken).
func checkBothLanguages(t *testing.T, ie *ImportError) {
	t.Helper()
	m := ie.Message()
	if !strings.HasPrefix(m.ZH, ie.File) || !strings.HasPrefix(m.EN, ie.File) {
		t.Errorf("no file named: %+v", m)
	}
	if ie.Line > 0 {
		if !strings.Contains(m.ZH, fmt.Sprintf(" 第 %d 行", ie.Line)) || !strings.Contains(m.EN, fmt.Sprintf(" line %d", ie.Line)) {
			t.Errorf("no line named: %+v", m)
		}
	}
	if ie.Column != "" {
		if !strings.Contains(m.ZH, "“"+ie.Column+"”列") || !strings.Contains(m.EN, "column "+ie.Column+":") {
			t.Errorf("no column named: %+v", m)
		}
	}
	if strings.Contains(m.ZH, "[problem.") || strings.Contains(m.EN, "[problem.") {
		t.Errorf("a key missing from the catalogue: %+v", m)
	}
	if !strings.HasSuffix(m.EN, strings.SplitN(ie.Error(), ": ", 2)[1]) {
		t.Errorf("English message %q does not end as the error %q", m.EN, ie.Error())
	}
	if bad := untranslated(m.ZH); len(bad) > 0 {
		t.Errorf("English in the Chinese %q: %v", m.ZH, bad)
	}
}

func TestImportErrorMessages(t *testing.T) {
	for _, c := range []struct {
		err    *ImportError
		zh, en string
	}{
		{&ImportError{File: "streets.csv.gz", Line: 272, Column: "areaCode", Key: "problem.import.parent_unknown",
			Args: []any{unitFiles[County-1].nounText(), "430999", unitFiles[Township-1].nounText(), "430999001"}},
			"streets.csv.gz 第 272 行“areaCode”列：乡镇（街道） 430999001 的上级县（区） 430999 不存在",
			"streets.csv.gz line 272, column areaCode: unknown parent area 430999 for street 430999001"},
		{&ImportError{File: "villages.csv.gz", Line: 10, Key: "problem.import.columns", Args: []any{5, 6, "code,name"}},
			"villages.csv.gz 第 10 行：有 5 列，应为 6 列（code,name）",
			"villages.csv.gz line 10: 5 columns, expected 6 (code,name)"},
		{&ImportError{File: "provinces.csv.gz", Key: "problem.import.not_gzip"},
			"provinces.csv.gz：不是 gzip 数据；.csv.gz 文件须经 gzip 压缩（如是纯文本，请改名为 .csv）",
			"provinces.csv.gz: not gzip data; a .csv.gz file must be gzip-compressed (rename it to .csv if it is plain text)"},
	} {
		if m := c.err.Message(); m.ZH != c.zh || m.EN != c.en {
			t.Errorf("message\n  %+v\nwant\n  %s\n  %s", m, c.zh, c.en)
		}
	}
}

// A file of coordinates names the file, the line and the column in both
// languages.
func TestCoordinatesErrorInBothLanguages(t *testing.T) {
	_, err := ReadCoordinates(strings.NewReader("code,lat,lon\n430922,north,112\n"), "coords.csv")
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("%v (%T), want an *ImportError", err, err)
	}
	m := ie.Message()
	if m.ZH != "coords.csv 第 2 行“lat”列：纬度“north”不是中国境内的度数（3 至 54）" ||
		m.EN != `coords.csv line 2, column lat: latitude "north" is not a number of degrees within China (3 to 54)` {
		t.Errorf("%+v", m)
	}
	if err.Error() != `coords.csv line 2: latitude "north" is not a number of degrees within China (3 to 54)` {
		t.Errorf("error %q", err)
	}
	_, err = ReadCoordinates(strings.NewReader(""), "coords.csv")
	if !errors.As(err, &ie) || ie.Message().ZH != "coords.csv：文件为空；应以表头 code,lat,lon 开始" {
		t.Errorf("empty: %v", err)
	}
}
