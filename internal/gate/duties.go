package gate

import (
	"lighten/internal/duties"
	"lighten/internal/i18n"
	"lighten/internal/units"
)

// ownerName names the office that set a list: its unit's name.
func ownerName(c *Check, code string) any {
	if code == "" {
		return i18n.Both("error.country")
	}
	if u, ok := c.Env.Tree().Get(code); ok {
		return u.Name
	}
	return code
}

// dutyList admits a task only on the target level's own or assisting list;
// a matter on the negative list is refused (rule duty.negative), and
// assisting work must name its lead office. Targets share lists by their
// parent, so each distinct list is looked up once.
func dutyList(c *Check) {
	d := c.D
	if d.Matter == "" {
		c.Add(finding("duty.list", Block, "no_matter", nil, nil, nil))
		return
	}
	book := c.Env.Duties()
	day := d.When()
	type group struct {
		eff   *duties.Effective
		units int
		first units.Unit
	}
	groups := map[string]*group{}
	var order []string
	byParent := map[string]string{}
	for _, u := range c.Targets {
		pk := u.Parent + "/" + u.Level.String()
		k, ok := byParent[pk]
		if !ok {
			k = book.Key(u.Code, u.Level, day) + "@" + u.Level.String()
			byParent[pk] = k
		}
		g, ok := groups[k]
		if !ok {
			g = &group{eff: book.At(u.Code, u.Level, day), first: u}
			groups[k] = g
			order = append(order, k)
		}
		g.units++
	}
	for _, k := range order {
		g := groups[k]
		level := i18n.Both("level." + g.first.Level.String())
		m, ok := g.eff.Find(d.Matter)
		switch {
		case !ok:
			f := finding("duty.list", Block, "not_listed", []any{d.Matter, g.units, level, g.first.Name}, nil, nil)
			f.Units = g.units
			c.Add(f)
		case m.Category == duties.Negative:
			f := finding("duty.negative", Block, "negative", []any{m.Name, level, ownerName(c, g.eff.From[m.Code]), m.Basis}, nil, nil)
			f.Units, f.Evidence = g.units, m.Code
			c.Add(f)
		case m.Category == duties.Assist && d.LeadOffice != m.Lead:
			f := finding("duty.list", Block, "lead", []any{m.Name, m.Lead}, []any{m.Lead}, nil)
			f.Units, f.Evidence = g.units, m.Code
			c.Add(f)
		}
	}
}

// dutyFunds asks the burden office to look at delegated work that comes
// with no people, money or authority.
func dutyFunds(c *Check) {
	if c.D.Means.None() {
		c.Add(finding("duty.funds", Review, "none", nil, nil, nil))
	}
}

// pledgeApproved refuses a letter of responsibility that is not an item of
// the register, or whose approval has lapsed.
func pledgeApproved(c *Check) {
	p := c.D.Pledge
	if p == nil || p.Item == "" {
		c.Add(finding("pledge.approved", Block, "no_item", nil, nil, nil))
		return
	}
	item, ok := c.Env.PledgeItem(p.Item)
	if !ok || !units.Contains(item.Owner, c.D.IssuerUnit) {
		c.Add(finding("pledge.approved", Block, "unknown", []any{p.Item}, nil, nil))
		return
	}
	if c.D.When().After(item.ValidUntil) {
		c.Add(finding("pledge.approved", Block, "lapsed", []any{item.Name, day(item.ValidUntil)}, nil, nil))
	}
}

// pledgeCascade refuses a unit passing on down a pledge it received.
func pledgeCascade(c *Check) {
	p := c.D.Pledge
	if p == nil || p.Item == "" {
		return
	}
	if c.Env.PledgeReceived(c.D.IssuerUnit, p.Item) {
		c.Add(finding("pledge.cascade", Block, "cascade", []any{p.Item}, nil, nil))
	}
}
