package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"lighten/internal/store"
)

// metrics are served in the Prometheus text format by Metrics, on an
// address of their own (lighten serve --metrics-addr), never on the public
// one: request counts by route would tell who is opening visits. Each
// server has its own registry, so that tests can build many servers.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(db *store.DB) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lighten_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "lighten_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	units := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "lighten_units", Help: "Units in the in-memory tree.",
	}, func() float64 {
		if t, err := db.Tree(context.Background()); err == nil {
			return float64(t.Len())
		}
		return 0
	})
	m.reg.MustRegister(m.requests, m.duration, units,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Metrics is the Prometheus handler of the server's metrics, to be served
// on a private address (lighten serve --metrics-addr); the public handler
// has no /metrics.
func (s *Server) Metrics() http.Handler { return s.metrics.handler() }

// sealedPrefixes are the route patterns of a team's visits: what they are
// asked for, and how often, could tell that a sealed visit is under way
// (a start, a record saved, a photo taken, a feed read), so they are
// counted under one label, route "visits", whatever the route.
var sealedPrefixes = []string{"/api/v1/visits/", "/api/v1/photos/", "/api/v1/me/visits", "/api/v1/me/calendar",
	"/visits", "/ical/"}

// routeLabel is the route label of a request's pattern: the pattern
// itself (so that unit codes and ids collapse to {code} and {id}), or
// "visits" for every route of sealed visits, or "unmatched".
func routeLabel(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	path := pattern
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		path = pattern[i+1:]
	}
	for _, p := range sealedPrefixes {
		if strings.HasPrefix(path, p) {
			return "visits"
		}
	}
	return pattern
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts and times requests by the pattern that served them, so
// that the label set stays small however many units there are.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		pattern := routeLabel(r.Pattern)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		status := strconv.Itoa(sw.status)
		if pattern == "visits" {
			// Whether a visit was found, or refused, tells as much.
			status = status[:1] + "xx"
		}
		m.requests.WithLabelValues(pattern, r.Method, status).Inc()
		m.duration.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
	})
}
