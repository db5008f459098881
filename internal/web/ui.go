package web

import "net/http"

// uiRoutes are the pages people use.
func (s *Server) uiRoutes() []*route { return nil }

// fail shows an error page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := asError(err)
	http.Error(w, e.Message.EN, e.Status())
}
