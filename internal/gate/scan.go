package gate

import (
	"strings"
	"unicode/utf8"

	"lighten/internal/i18n"
)

// phrases are what the negative list forbids, as people write it in the
// body of a demand, with the rule each one falls under. Phrases are
// specific enough not to fire on innocent words ("视频会议" is a video
// conference, not video proof).
var phrases = []struct {
	rule, text string
}{
	{"trace.proof", "拍照留痕"}, {"trace.proof", "留痕"}, {"trace.proof", "上传照片"}, {"trace.proof", "提供照片"},
	{"trace.proof", "照片佐证"}, {"trace.proof", "截图"}, {"trace.proof", "拍摄视频"}, {"trace.proof", "上传视频"},
	{"trace.proof", "视频佐证"}, {"trace.proof", "视频资料"}, {"trace.proof", "学习笔记"}, {"trace.proof", "会议次数"},
	{"trace.proof", "photo"}, {"trace.proof", "screenshot"}, {"trace.proof", "video evidence"}, {"trace.proof", "study notes"},
	{"trace.signature", "签字盖章"}, {"trace.signature", "加盖公章"}, {"trace.signature", "领导签字"}, {"trace.signature", "盖章"},
	{"trace.signature", "signature and seal"}, {"trace.signature", "official seal"},
	{"app.checkin", "打卡"}, {"app.checkin", "点赞"}, {"app.checkin", "在线时长"}, {"app.checkin", "排名"},
	{"app.checkin", "接龙"}, {"app.checkin", "秒回"}, {"app.checkin", "即时回复"}, {"app.checkin", "强制下载"},
	{"app.checkin", "check in"}, {"app.checkin", "check-in"}, {"app.checkin", "roll call"}, {"app.checkin", "online time"},
	{"app.checkin", "ranking"}, {"app.checkin", "likes"},
	{"doc.reportback", "报送落实情况"}, {"doc.reportback", "上报落实情况"}, {"doc.reportback", "落实情况报告"},
	{"doc.reportback", "贯彻落实情况"}, {"doc.reportback", "配套文件"},
	{"doc.reportback", "report on implementation"}, {"doc.reportback", "implementation report"}, {"doc.reportback", "supporting documents"},
	{"staff.second", "借调"}, {"staff.second", "抽调"}, {"staff.second", "second staff"}, {"staff.second", "secondment"},
}

// scanText reads the title and body for what the negative list forbids;
// each phrase found becomes a review finding that quotes it. A phrase
// covered by a longer one found at the same place is not counted twice.
func scanText(c *Check) {
	text := c.D.Title + "\n" + c.D.Body
	lower := strings.ToLower(text)
	// Quote the original unless lowering changed byte offsets.
	source := text
	if len(lower) != len(text) {
		source = lower
	}
	taken := map[int]bool{}
	for _, p := range phrases {
		i := strings.Index(lower, p.text)
		for i >= 0 && taken[i] {
			j := strings.Index(lower[i+1:], p.text)
			if j < 0 {
				i = -1
				break
			}
			i += 1 + j
		}
		if i < 0 {
			continue
		}
		for k := i; k < i+len(p.text); k++ {
			taken[k] = true
		}
		f := Finding{Rule: p.rule, Severity: Review,
			Message:  i18n.Both("gate.scan.found", p.text),
			Fix:      i18n.Both("gate.scan.found.fix", p.text),
			Evidence: quote(source, i, len(p.text))}
		c.Add(f)
	}
}

// quote is the phrase with a few characters either side.
func quote(s string, at, n int) string {
	start, end := at, at+n
	for k := 0; k < 12 && start > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(s[:start])
		start -= size
	}
	for k := 0; k < 12 && end < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
	}
	out := strings.ReplaceAll(s[start:end], "\n", " ")
	if start > 0 {
		out = "…" + out
	}
	if end < len(s) {
		out += "…"
	}
	return out
}
