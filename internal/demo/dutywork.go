package demo

import (
	"fmt"
	"strings"
	"time"

	"lighten/internal/duties"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
)

// notOurs is the duty lists at work on what townships are given. The
// market regulator pushes its licensing inspections down as a task, which
// the gate refuses from the county's negative list; it then sends the same
// work as a report, which carries no matter and passes, and the demo
// township refuses it from its inbox citing the list: the burden office
// upholds that. The township also refuses a land-survey task that is its
// assisting duty, and the burden office overturns that.
func (s *seeder) notOurs() {
	duty(s.task("shijian", s.ago(50, 10), townships(), "食品经营许可现场核查",
		"各乡镇人民政府：\n今年新申请食品经营许可的小餐饮、小作坊较多，为缩短办证时间，请各乡镇安排人员对辖区内申请人的经营场所进行现场核查，"+
			"填写现场核查表，于{due}前报县市场监督管理局。\n\n县市场监督管理局", 480),
		"XZ43", "", nil)

	p := s.report("shijian", s.ago(44, 10), townships(), "{year}年小餐饮小作坊许可现场核查情况统计",
		"各乡镇人民政府：\n请各乡镇对辖区内今年申请食品经营许可的小餐饮、小作坊逐户到场核查，于{due}前报送核查情况。\n\n县市场监督管理局",
		f("受理申请户数", 10), f("到场核查户数", 30), f("核查不合格户数", 10))
	p.admitted = func(rec *store.DemandRecord) {
		s.push(s.after(s.cur, 2, 10, 30), func() error {
			return s.refuse(rec.ID, "XZ43",
				"食品经营许可的现场核查由县市场监督管理局实施，乡镇既没有许可权，也没有核查资质。此表名为统计，要先逐户到场核查才能填报。",
				true, "经核实，该表要求乡镇逐户到场核查后报数，实为此前被闸口拒收的“食品经营许可现场核查”任务换成报表下发，"+
					"属县级部门职责（乡镇负面清单XZ43）。维持"+s.town.Name+"意见，该表退回县市场监督管理局，由各市场监管所自行核查。")
		})
	}

	p = duty(s.task("ziran", s.ago(30, 10), townships(), "第二批卫片执法图斑现场核实",
		"各乡镇人民政府：\n县自然资源局已下发第二批卫片执法图斑清单。请各乡镇国土所对辖区图斑逐个现场核实用地性质和建设时间，于{due}前将核实结果录入图斑核查系统。"+
			"县自然资源局执法大队派员带队，立案查处由执法大队负责。\n\n县自然资源局", 240),
		"XZ21", "县自然资源局", &gate.Means{People: 1})
	p.admitted = func(rec *store.DemandRecord) {
		s.push(s.after(s.cur, 1, 16, 0), func() error {
			return s.refuse(rec.ID, "XZ40",
				"图斑核查是土地违法案件调查的一部分，属县自然资源局的行政执法检查，乡镇没有执法权，也没有测量设备。",
				false, "卫片图斑的现场核实是乡镇的配合职责（清单XZ21，《中华人民共和国土地管理法》），县自然资源局派员带队，"+
					"立案和处罚仍由县执法大队负责，并未把执法转给乡镇。不支持该拒收，请按期完成核实。")
		})
	}
}

// refuse is the demo township's cadre refusing a demand in its inbox as
// not its duty, as the API takes it, and the burden office's decision the
// next working day. An overturned refusal leaves the work to be done.
func (s *seeder) refuse(id int64, matter, reason string, uphold bool, decision string) error {
	items, err := s.db.Inbox(s.ctx, s.town, time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	var rec *store.DemandRecord
	for _, it := range items {
		if it.Demand.ID == id {
			rec = it.Demand
		}
	}
	if rec == nil {
		return fmt.Errorf("demo refusal: demand %d is not in %s's inbox", id, s.town.Name)
	}
	book, err := s.db.DutyBook(s.ctx)
	if err != nil {
		return err
	}
	eff := book.At(s.town.Code, s.town.Level, rec.When())
	if matter != "" {
		if _, ok := eff.Find(matter); !ok {
			return fmt.Errorf("demo refusal of %d: %s is on no list of %s", id, matter, s.town.Name)
		}
	} else if m, ok := eff.Find(rec.Matter); ok && m.Category != duties.Negative {
		return fmt.Errorf("demo refusal of %d: %s is on %s's list", id, rec.Matter, s.town.Name)
	}
	var ref store.Refusal
	if err := s.db.Write(s.ctx, s.actors["zhen"], func(tx *store.Tx) error {
		ref, err = tx.Refuse(s.ctx, rec, s.town.Code, matter, reason)
		return err
	}); err != nil {
		return fmt.Errorf("demo refusal of %d: %w", id, err)
	}
	s.push(s.after(s.cur, 1, 15, 0), func() error {
		r, err := s.db.RefusalByID(s.ctx, ref.ID)
		if err != nil {
			return err
		}
		if err := s.db.Write(s.ctx, s.actors["jianfu"], func(tx *store.Tx) error {
			return tx.DecideRefusal(s.ctx, r, uphold, decision)
		}); err != nil {
			return fmt.Errorf("demo decision on refusal %d: %w", r.ID, err)
		}
		if !uphold {
			c := cadre{"zhen", s.town}
			s.push(s.doneTime(rec), func() error { return s.markDone(id, c) })
		}
		return nil
	})
	return nil
}

// answerCall is what a summoned office does, and when.
type answerCall struct {
	by       string        // the office's issuer
	ack      time.Duration // after the summons; 0 never
	respond  int           // working days after the summons; 0 never
	at       int           // hour of the response
	response string
}

// escalations are the demo township's two summonses (吹哨) of county
// offices: illegal sand dredging on the Zi River, which one office answers
// in time and the other after the deadline, and a cracked hillside the
// offices have acknowledged and not yet answered.
func (s *seeder) escalations() {
	places, _ := s.tree.Children(s.town.Code, 0, -1)
	place := func(i int) string {
		if len(places) == 0 {
			return s.town.Name
		}
		return strings.TrimSuffix(places[i%len(places)].Name, "委会")
	}
	reach := "资江" + s.town.Name + "段"
	t := s.ago(60, 9).Add(40 * time.Minute)
	s.push(t, func() error {
		return s.escalate("XZ44", reach+"夜间非法采砂，请求到场查处",
			fmt.Sprintf("近半个月来，%s（%s至%s河段）夜间有2至3艘采砂船非法采砂，河岸已出现崩塌，威胁沿岸农田和防洪堤安全。"+
				"镇里多次组织巡河劝离，采砂船白天撤离、夜间返回。乡镇没有采砂执法权（负面清单XZ44），请县自然资源局、县应急管理局派员到场依法查处。", reach, place(0), place(3)),
			answerCall{by: "ziran", ack: 2 * time.Hour, respond: 3, at: 16,
				response: "接报当晚即会同县水利局、县公安局开展联合执法，现场查扣非法采砂船2艘，移交县水利局立案查处；" + reach + "已列入县级河道采砂重点监管河段，执法大队每周夜查不少于2次。"},
			answerCall{by: "yingji", ack: 5 * time.Hour, respond: 8, at: 10,
				response: "涉事采砂船无证作业、船舶安全隐患已纳入全县水上交通安全专项整治，已函告县交通运输局海事部门依法处理。本局回复晚于时限，已在局内通报。"})
	})
	t = s.ago(1, 15).Add(20 * time.Minute)
	s.push(t, func() error {
		return s.escalate("XZ24", place(5)+"后山出现裂缝，请求地质灾害专业评估",
			"连日降雨后，"+place(5)+"后山出现长约30米的裂缝，坡下有12户村民。镇里已组织人员临时转移，设置警示标志，安排专人监测。"+
				"裂缝成因和危险程度需要专业技术人员评估，请县自然资源局、县应急管理局派员到场。",
			answerCall{by: "ziran", ack: time.Hour},
			answerCall{by: "yingji", ack: 150 * time.Minute})
	})
}

// escalate is the demo township's cadre summoning offices, as the API
// takes it, with the deadlines of the policy in force at the township; the
// offices' issuers then acknowledge and respond when the calls say.
func (s *seeder) escalate(matter, title, description string, calls ...answerCall) error {
	if s.town.Level != units.Township {
		return fmt.Errorf("demo escalation: %s is not a township", s.town.Code)
	}
	e := &duties.Escalation{Unit: s.town.Code, Matter: matter, Title: title, Description: description}
	for _, c := range calls {
		o := s.offices[c.by]
		if o.UnitCode == s.town.Code || !units.Contains(o.UnitCode, s.town.Code) {
			return fmt.Errorf("demo escalation: %s cannot be summoned by %s", o.Name, s.town.Name)
		}
		e.Calls = append(e.Calls, duties.Call{OfficeID: o.ID, OfficeName: o.Name})
	}
	pt, err := s.db.PolicyTree(s.ctx)
	if err != nil {
		return err
	}
	set := pt.At(s.town.Code)
	e.AckBy, e.RespondBy = duties.Deadlines(s.cal, s.cur, set.Get("escalation.ack_hours"), set.Get("escalation.respond_days"))
	if err := s.db.Write(s.ctx, s.actors["zhen"], func(tx *store.Tx) error { return tx.CreateEscalation(s.ctx, e) }); err != nil {
		return fmt.Errorf("demo escalation: %w", err)
	}
	for _, c := range calls {
		c, office := c, s.offices[c.by].ID
		if c.ack > 0 {
			s.push(s.cur.Add(c.ack), func() error { return s.answerEscalation(e.ID, c.by, office, "") })
		}
		if c.respond > 0 {
			s.push(s.after(s.cur, c.respond, c.at, 0), func() error { return s.answerEscalation(e.ID, c.by, office, c.response) })
		}
	}
	return nil
}

// answerEscalation is an office's issuer acknowledging (response "") or
// responding, as the API takes it.
func (s *seeder) answerEscalation(id int64, by string, office int64, response string) error {
	list, err := s.db.Escalations(s.ctx, store.EscalationQuery{Office: office, ID: id})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return fmt.Errorf("demo escalation %d: %s was not summoned", id, by)
	}
	return s.db.Write(s.ctx, s.actors[by], func(tx *store.Tx) error { return tx.AnswerEscalation(s.ctx, list[0], office, response) })
}
