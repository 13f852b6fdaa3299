namespace TemAreaTracker.Pipeline.Batch;

/// <summary>
/// The Liquid template of report.html (rendered by Fluid with HTML encoding; <c>| raw</c> only for data URIs, which are
/// base64, and the scrubber's JSON, which is serialised with HTML-sensitive characters escaped). No external resource:
/// styles and the few lines of script (table sorting, the frame scrubber) are inline.
/// </summary>
internal static class ReportTemplate
{
    public const string Source = """
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>temtrack batch report: {{ title }}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 1.5em auto; max-width: 1500px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc; } h3 { margin-bottom: .3em; }
.meta { color: #555; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
#summary td { white-space: nowrap; }
.tablewrap { overflow-x: auto; max-width: 100%; }
#summary { font-size: 13px; }
th { background: #f3f3f3; cursor: pointer; user-select: none; white-space: nowrap; }
th[data-dir="asc"]::after { content: " ▲"; } th[data-dir="desc"]::after { content: " ▼"; }
td.num { text-align: right; }
.status { font-size: .75em; padding: 1px 6px; border-radius: 3px; color: #fff; vertical-align: middle; }
.status.done { background: #2e7d32; } .status.failed { background: #c62828; } .status.skipped { background: #757575; }
.error { color: #c62828; font-family: ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; }
.warnings li { color: #8a5a00; }
section.movie { border-top: 1px solid #ddd; padding-top: .5em; margin-top: 1.5em; }
.figs { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
figure { margin: 0; } figcaption { color: #555; font-size: .9em; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
.contact img { max-width: 100%; }
.scrubber { display: inline-block; max-width: 100%; }
.stage { position: relative; line-height: 0; background: #000; }
.stage img { display: block; max-width: 100%; height: auto; image-rendering: auto; }
.stage svg { position: absolute; left: 0; top: 0; width: 100%; height: 100%; }
.stage polygon { fill: none; stroke-width: 2; vector-effect: non-scaling-stroke; }
.scrub { width: 100%; }
.label { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
</style>
</head>
<body>
<h1>temtrack batch report: {{ title }}</h1>
<p class="meta">{{ counts }} · temtrack {{ version }}</p>
{% if notes.size > 0 %}<ul class="warnings">{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}

<h2>Summary</h2>
<p>One row per particle of every done movie (as summary.csv); click a column to sort.</p>
<div class="tablewrap"><table id="summary" class="sortable">
<thead><tr>{% for c in columns %}<th data-num="{{ c.num }}">{{ c.name }}</th>{% endfor %}</tr></thead>
<tbody>
{% for r in rows %}<tr>{% for v in r.cells %}<td>{{ v }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table></div>

{% if comparisons.size > 0 %}<h2>Comparisons</h2>
{% for c in comparisons %}<section class="comparison"><h3>{{ c.name }}</h3><p>{{ c.text }}</p>{% if c.png != "" %}<figure><img src="{{ c.png | raw }}" alt="D per particle, {{ c.name }}"></figure>{% endif %}</section>
{% endfor %}{% endif %}

{% if failed.size > 0 %}<h2>Failed movies</h2>
<table id="failed"><thead><tr><th>movie</th><th>error</th></tr></thead><tbody>
{% for f in failed %}<tr><td><a href="#{{ f.anchor }}">{{ f.id }}</a></td><td class="error">{{ f.error }}</td></tr>
{% endfor %}</tbody></table>{% endif %}

{% if skipped.size > 0 %}<h2>Skipped movies</h2>
<table id="skipped"><thead><tr><th>movie</th><th>why</th></tr></thead><tbody>
{% for f in skipped %}<tr><td>{{ f.id }}</td><td>{{ f.error }}</td></tr>
{% endfor %}</tbody></table>{% endif %}

<h2>Movies</h2>
{% for m in movies %}<section class="movie" id="{{ m.anchor }}" data-movie="{{ m.id }}">
<h3>{{ m.id }} <span class="status {{ m.status }}">{{ m.status }}</span></h3>
<p class="meta">{{ m.movie }} · condition {{ m.condition }}{% if m.frames != "" %} · {{ m.frames }} frames{% endif %}{% if m.elapsed != "" %} · {{ m.elapsed }} s{% endif %}</p>
{% if m.error != "" %}<p class="error">{{ m.error }}</p>{% endif %}
{% if m.fits.size > 0 %}<ul class="fits">{% for f in m.fits %}<li>{{ f }}</li>{% endfor %}</ul>{% endif %}
{% if m.warnings.size > 0 %}<details class="warnings-box"{% if m.warnings.size < 6 %} open{% endif %}><summary>{{ m.warnings.size }} warning(s)</summary><ul class="warnings">{% for w in m.warnings %}<li>{{ w }}</li>{% endfor %}</ul></details>{% endif %}
<div class="figs">
{% if m.scrubber != "" %}<figure class="scrubber">
<div class="stage"><img class="frame" alt="frame of {{ m.id }}" width="{{ m.dw }}" height="{{ m.dh }}"><svg class="outlines" viewBox="0 0 {{ m.w }} {{ m.h }}" preserveAspectRatio="none"></svg></div>
<input class="scrub" type="range" min="0" max="{{ m.last }}" value="0" step="1" aria-label="frame">
<figcaption><span class="label"></span> · outlines as tracked</figcaption>
<script type="application/json" class="scrub-data">{{ m.scrubber | raw }}</script>
</figure>{% endif %}
{% if m.areas != "" %}<figure><img src="{{ m.areas | raw }}" alt="area vs time" width="600"><figcaption>Projected area vs time</figcaption></figure>{% endif %}
{% if m.fitplot != "" %}<figure><img src="{{ m.fitplot | raw }}" alt="fit" width="600"><figcaption>Fit with D and its 95% interval</figcaption></figure>{% endif %}
{% if m.network != "" %}<figure><img src="{{ m.network | raw }}" alt="particle network" width="600"><figcaption>Particle network</figcaption></figure>{% endif %}
</div>
{% if m.contact != "" %}<figure class="contact"><img src="{{ m.contact | raw }}" alt="contact sheet"><figcaption>Contact sheet</figcaption></figure>{% endif %}
</section>
{% endfor %}

<script>
"use strict";
// Sortable tables: click a header; numeric columns sort by value, blanks ("–") last.
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener("click", function () {
      var dir = th.getAttribute("data-dir") === "asc" ? "desc" : "asc";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("data-dir"); });
      th.setAttribute("data-dir", dir);
      var numeric = th.getAttribute("data-num") === "1";
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent, c;
        if (numeric) {
          var fx = parseFloat(x), fy = parseFloat(y);
          if (isNaN(fx) || isNaN(fy)) return isNaN(fx) - isNaN(fy);
          c = fx - fy;
        } else c = x.localeCompare(y);
        return dir === "asc" ? c : -c;
      });
      rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
    });
  });
  Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
    Array.prototype.forEach.call(r.cells, function (td, col) { if (heads[col].getAttribute("data-num") === "1") td.className = "num"; });
  });
});
// Frame scrubbers: the slider picks a frame; its outlines are drawn over it as SVG polygons.
document.querySelectorAll("figure.scrubber").forEach(function (fig) {
  var data = JSON.parse(fig.querySelector("script.scrub-data").textContent);
  var img = fig.querySelector("img.frame"), svg = fig.querySelector("svg.outlines");
  var range = fig.querySelector("input.scrub"), label = fig.querySelector(".label");
  var NS = "http://www.w3.org/2000/svg";
  function show(i) {
    var f = data.frames[i];
    img.src = f.src;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    f.outlines.forEach(function (o) {
      var p = document.createElementNS(NS, "polygon");
      p.setAttribute("points", o.points);
      p.setAttribute("stroke", o.colour);
      var t = document.createElementNS(NS, "title");
      t.textContent = o.name;
      p.appendChild(t);
      svg.appendChild(p);
    });
    label.textContent = f.label;
    fig.setAttribute("data-frame", String(f.frame));
  }
  range.addEventListener("input", function () { show(parseInt(range.value, 10)); });
  show(0);
});
</script>
</body>
</html>
""";
}
