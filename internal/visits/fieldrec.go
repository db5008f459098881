package visits

import (
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/width"
)

// The results of a checklist line and the severities of a finding.
const (
	ResultPass = "pass"
	ResultFail = "fail"
	ResultNA   = "na"

	SeverityInfo  = "info"
	SeverityMinor = "minor"
	SeverityMajor = "major"
)

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Validate checks a field record against its visit: check results only for
// the plan items and checklist lines the visit carries, each line once,
// with a result of pass, fail or na; claims with a label and what was seen;
// a GPS point within range and an accuracy of at least 0 metres; photos
// with a SHA-256 checksum; findings with text, a severity of info, minor or
// major, and (if about an item) one the visit carries. The error names the
// line (from 1) and the field.
func (r *FieldRecord) Validate(v *ScheduledVisit) error {
	if r.VisitID != 0 && r.VisitID != v.ID {
		return invalid("visit", "visits.error.field_visit", r.VisitID, v.ID)
	}
	carried := map[string]map[string]bool{}
	for _, iv := range v.Items {
		set := map[string]bool{}
		for _, c := range iv.Checklist {
			set[c] = true
		}
		carried[iv.Item] = set
	}
	done := map[[2]string]int{}
	for i, c := range r.Checks {
		f := func(name string) string { return "checks[" + strconv.Itoa(i) + "]." + name }
		lines, ok := carried[c.Item]
		if !ok {
			return invalid(f("item"), "visits.error.check_item", i+1, c.Item)
		}
		if !lines[c.Check] {
			return invalid(f("check"), "visits.error.check_line", i+1, c.Check, c.Item)
		}
		if j, ok := done[[2]string{c.Item, c.Check}]; ok {
			return invalid(f("check"), "visits.error.check_twice", i+1, c.Item, c.Check, j+1)
		}
		done[[2]string{c.Item, c.Check}] = i
		switch c.Result {
		case ResultPass, ResultFail, ResultNA:
		default:
			return invalid(f("result"), "visits.error.check_result", i+1, c.Result)
		}
	}
	for i, c := range r.Claims {
		f := "claims[" + strconv.Itoa(i) + "]."
		if strings.TrimSpace(c.Label) == "" {
			return invalid(f+"label", "visits.error.claim_label", i+1)
		}
		if strings.TrimSpace(c.Seen) == "" {
			return invalid(f+"seen", "visits.error.claim_seen", i+1, c.Label)
		}
	}
	if p := r.Point; p != nil {
		if !(p.Lat >= -90 && p.Lat <= 90) {
			return invalid("point.lat", "visits.error.point_lat", p.Lat)
		}
		if !(p.Lon >= -180 && p.Lon <= 180) {
			return invalid("point.lon", "visits.error.point_lon", p.Lon)
		}
	}
	if !(r.Accuracy >= 0) || math.IsInf(r.Accuracy, 1) {
		return invalid("accuracy", "visits.error.accuracy", r.Accuracy)
	}
	for i, p := range r.Photos {
		if !sha256Hex.MatchString(p.SHA256) {
			return invalid("photos["+strconv.Itoa(i)+"].sha256", "visits.error.photo_sha256", i+1, p.Name)
		}
	}
	for i, fd := range r.Findings {
		f := "findings[" + strconv.Itoa(i) + "]."
		if strings.TrimSpace(fd.Text) == "" {
			return invalid(f+"text", "visits.error.finding_text", i+1)
		}
		switch fd.Severity {
		case SeverityInfo, SeverityMinor, SeverityMajor:
		default:
			return invalid(f+"severity", "visits.error.finding_severity", i+1, fd.Severity)
		}
		if _, ok := carried[fd.Item]; fd.Item != "" && !ok {
			return invalid(f+"item", "visits.error.finding_item", i+1, fd.Item)
		}
	}
	return nil
}

// CompareClaims fills each claim's Reported from the values the unit
// reported (by the claim's element; "" when it has none or none was
// reported) and sets Discrepancy when the reported or the claimed value
// differs from what was seen (SameValue). A value not given is not
// compared.
func CompareClaims(claims []Claim, reported map[string]string) {
	for i := range claims {
		c := &claims[i]
		c.Reported = ""
		if c.Element != "" {
			c.Reported = reported[c.Element]
		}
		c.Discrepancy = (strings.TrimSpace(c.Reported) != "" && !SameValue(c.Reported, c.Seen)) ||
			(strings.TrimSpace(c.Claimed) != "" && !SameValue(c.Claimed, c.Seen))
	}
}

// Summary counts a field record's checks made (pass or fail; na is not a
// check made), the failed ones, and the claims whose values differ.
func Summary(r *FieldRecord) (checks, failed, discrepancies int) {
	for _, c := range r.Checks {
		switch c.Result {
		case ResultPass:
			checks++
		case ResultFail:
			checks++
			failed++
		}
	}
	for _, c := range r.Claims {
		if c.Discrepancy {
			discrepancies++
		}
	}
	return
}

var fold = cases.Fold()

// numberPrefix is a decimal number at the start of a value: a sign,
// digits (in groups of three separated by commas, or not), and a fraction.
var numberPrefix = regexp.MustCompile(`^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|^[+-]?\.\d+`)

// normal is a value as compared: full-width forms narrowed (１２００ is
// 1200, ，is a comma), spaces trimmed and runs of spaces made one, and
// Unicode case folding applied.
func normal(s string) string {
	s = width.Narrow.String(s)
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	return fold.String(s)
}

// splitNumber reads a value as a number and what follows it (a unit of
// measure such as 户 or 亩, or %): ok is false if it does not begin with a
// number.
func splitNumber(s string) (n *big.Rat, rest string, ok bool) {
	m := numberPrefix.FindString(s)
	if m == "" {
		return nil, "", false
	}
	rest = strings.TrimSpace(s[len(m):])
	if rest != "" {
		// "12ab" and "1.5.3" are not numbers with a unit.
		r := []rune(rest)[0]
		if unicode.IsDigit(r) || r == '.' || r == ',' {
			return nil, "", false
		}
	}
	n, ok = new(big.Rat).SetString(strings.ReplaceAll(m, ",", ""))
	return n, rest, ok
}

// SameValue reports whether two values agree. Both are normalised (full
// width narrowed, spaces trimmed and collapsed, case folded). Values that
// begin with a decimal number are compared as numbers, exactly (no
// tolerance: "1,200", "1200" and "1200.0" agree, 1200 and 1201 do not);
// what follows the numbers (a unit such as 户 or %) must agree as text
// when both have one ("35户" and "35" agree, "35户" and "35人" do not).
// Other values agree when their texts are equal.
func SameValue(a, b string) bool {
	a, b = normal(a), normal(b)
	if a == b {
		return true
	}
	na, ra, oka := splitNumber(a)
	nb, rb, okb := splitNumber(b)
	if !oka || !okb {
		return false
	}
	return na.Cmp(nb) == 0 && (ra == rb || ra == "" || rb == "")
}
