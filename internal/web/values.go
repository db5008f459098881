package web

import "lighten/internal/access"

// Values is the readers rule for the caller, with their own office: what
// every route that returns values asks before it shows one.
func (c *Ctx) Values() access.Values {
	return access.Values{P: c.P, Office: c.Person.OfficeID}
}
