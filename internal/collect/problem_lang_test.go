package collect

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"lighten/internal/i18n"
)

// Every key a Problem may carry is in the catalogue, and the package builds
// every Problem from a key written out: through problem with a literal
// key, or as a literal naming its Key.
func TestProblemKeysInCatalogue(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	used := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					break
				}
				s, _ := strconv.Unquote(n.Value)
				if strings.HasPrefix(s, "collect.problem.") || strings.HasPrefix(s, "collect.op.") {
					used++
					if _, ok := i18n.Lookup(s); !ok {
						t.Errorf("%s: key %s is not in the catalogue", fset.Position(n.Pos()), s)
					}
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "problem" && len(n.Args) >= 2 {
					switch k := n.Args[1].(type) {
					case *ast.BasicLit:
					case *ast.Ident:
						if k.Name != "keyRequired" {
							t.Errorf("%s: problem is given the key %s, not a literal", fset.Position(n.Pos()), k.Name)
						}
					default:
						t.Errorf("%s: problem is given a computed key", fset.Position(n.Pos()))
					}
				}
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "Problem" {
					keyed := false
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Key" {
								keyed = true
							}
						}
					}
					if !keyed {
						t.Errorf("%s: a Problem without a Key", fset.Position(n.Pos()))
					}
				}
			}
			return true
		})
	}
	if used < 20 {
		t.Errorf("only %d problem keys found in the source", used)
	}
}

var latinWord = regexp.MustCompile(`[A-Za-z]{3,}`)

// A problem reads in Chinese with no English left in it beyond what was
// typed and the codes it names, and in English as it always has.
func TestProblemInBothLanguages(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	asked := map[string]*Element{
		"HH":   {Code: "HH", Type: Integer, Min: f(0)},
		"POP":  {Code: "POP", Type: Integer},
		"AREA": {Code: "AREA", Type: Decimal, Max: f(100)},
		"KIND": {Code: "KIND", Type: Choice, Choices: []string{"水田", "旱地"}},
		"DAY":  {Code: "DAY", Type: Date},
		"OK":   {Code: "OK", Type: Bool},
		"AT":   {Code: "AT", Type: Point},
		"NOTE": {Code: "NOTE", Type: Text},
	}
	sub := Submission{Unit: "430922100201", Values: map[string]string{
		"HH": "12x", "AREA": "250", "KIND": "海岛", "DAY": "2026-02-30", "OK": "maybe", "AT": "north", "NOTE": "=SUM(A1)", "CARS": "3",
	}}
	_, errs := Check(sub, asked, nil, nil)
	want := map[string]struct{ zh, en string }{
		"HH":   {"单位 430922100201：“12x”不是整数。", `unit 430922100201: "12x" is not a whole number`},
		"POP":  {"单位 430922100201：此项必填。", "unit 430922100201: required"},
		"AREA": {"单位 430922100201：250 大于最大值 100。", "unit 430922100201: 250 is above the maximum 100"},
		"KIND": {"单位 430922100201：“海岛”不是可选项，应为：水田、旱地。", `unit 430922100201: "海岛" is not one of 水田, 旱地`},
		"DAY":  {"", `unit 430922100201: "2026-02-30" is not a date written YYYY-MM-DD`},
		"OK":   {"", `unit 430922100201: "maybe" is not yes or no`},
		"AT":   {"", `unit 430922100201: "north" is not a point written lat,lon`},
		"NOTE": {"单位 430922100201：不接受公式，请直接填写数值。", "unit 430922100201: formulas are not accepted; enter the value"},
		"CARS": {"单位 430922100201：本报表不要求填报“CARS”。", `unit 430922100201: this report does not ask for "CARS"`},
	}
	if len(errs) != len(want) {
		t.Fatalf("%d problems, %d expected: %v", len(errs), len(want), errs)
	}
	for _, err := range errs {
		var p *Problem
		if !errors.As(err, &p) {
			t.Fatalf("%v is not a Problem", err)
		}
		w, ok := want[p.Field]
		if !ok {
			t.Errorf("unexpected problem %v", p)
			continue
		}
		m := p.Message()
		if w.zh != "" && m.ZH != w.zh {
			t.Errorf("%s: zh %q, want %q", p.Field, m.ZH, w.zh)
		}
		if m.EN != w.en || p.Error() != p.Field+": "+w.en || p.Msg() != w.en {
			t.Errorf("%s: en %q, error %q, want %q", p.Field, m.EN, p.Error(), w.en)
		}
		zh := strings.NewReplacer(sub.Values[p.Field], "", p.Field, "", "SUM", "").Replace(m.ZH)
		if latinWord.MatchString(zh) {
			t.Errorf("%s: English left in %q", p.Field, m.ZH)
		}
		if p.Required() != (p.Field == "POP") {
			t.Errorf("%s: required is %v", p.Field, p.Required())
		}
		if what := p.What(); strings.Contains(what.ZH, "430922100201") || strings.Contains(what.EN, "430922100201") {
			t.Errorf("%s: what names the unit: %v", p.Field, what)
		}
	}

	// A rule says its comparison in words in Chinese.
	_, errs = Check(Submission{Unit: "430922100201", Values: map[string]string{"HH": "600", "POP": "480"}},
		map[string]*Element{"HH": asked["HH"], "POP": asked["POP"]}, nil, []Rule{{Left: "HH", Op: "<=", Right: "POP"}})
	if len(errs) != 1 {
		t.Fatalf("rule: %v", errs)
	}
	m := errs[0].(*Problem).Message()
	if m.ZH != "单位 430922100201：HH（600）应小于或等于 POP（480）。" || m.EN != "unit 430922100201: HH (600) must be <= POP (480)" {
		t.Errorf("rule: %+v", m)
	}

	// A definition's problem names the field in Chinese by itself.
	for _, c := range []struct {
		e   Element
		zh  string
		err string
	}{
		{Element{Code: "a b", Name: "x", Type: Integer, Period: Year}, "编码“a b”无效", `code: "a b": 1 to 64 characters without spaces, commas or quotes`},
		{Element{Code: "A", Type: Integer, Period: Year}, "此项必填", "name: required"},
		{Element{Code: "A", Name: "x", Type: "number", Period: Year}, "类型“number”无效", `type: "number": integer, decimal, text, choice, date, bool or point expected`},
		{Element{Code: "A", Name: "x", Type: Integer, Period: "decade"}, "周期“decade”无效", `period: "decade": day, week, month, quarter, year or once expected`},
		{Element{Code: "A", Name: "x", Type: Integer, Period: Year, ValidDays: 4000}, "有效天数 4000 无效", "valid_days: 4000: 0 to 3660 expected"},
		{Element{Code: "A", Name: "x", Type: Choice, Period: Year}, "可选项", "choices: a choice element lists its choices"},
		{Element{Code: "A", Name: "x", Type: Integer, Period: Year, Min: f(5), Max: f(1)}, "最大值小于最小值", "max: below min"},
	} {
		err := c.e.Validate()
		var p *Problem
		if !errors.As(err, &p) || !strings.Contains(p.Message().ZH, c.zh) || err.Error() != c.err {
			t.Errorf("%+v: %v (%+v)", c.e, err, p)
		}
	}
	for _, c := range []struct {
		r   Rule
		zh  string
		err string
	}{
		{Rule{Left: "A", Op: "=>", Right: "B"}, "比较符“=>”无效", `op: "=>": <=, <, >=, > or == expected`},
		{Rule{Left: "A", Op: "<", Right: "A"}, "两个不同的数据元", "left: two different elements expected"},
	} {
		err := c.r.Validate()
		var p *Problem
		if !errors.As(err, &p) || !strings.Contains(p.Message().ZH, c.zh) || err.Error() != c.err {
			t.Errorf("%+v: %v", c.r, err)
		}
	}
}
