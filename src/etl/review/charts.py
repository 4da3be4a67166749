"""The dashboard charts: one SQL query over the dashboard views and one plotly figure each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from etl.review.data import columns_of, rows

COLOURS = {"completed": "#2e7d32", "total": "#b0bec5", "pct": "#1565c0", "collective": "#ef6c00",
           "individual": "#6a1b9a", "both": "#00838f", "(not stated)": "#9e9e9e", "articles": "#1565c0",
           "stories": "#ef6c00"}


@dataclass
class Chart:
    """A dashboard chart: its title, the SQL it shows and a function from rows to a plotly figure."""

    key: str
    title: str
    sql: str
    figure: Callable[[list[dict[str, Any]]], Any]


def _label(r: dict) -> str:
    """A district-year bar label."""
    return f"{r['district'] or '(no district)'} {r['year']}"


def _targets(data: list[dict]):
    """Completed against set targets, labelled 14/14."""
    import plotly.graph_objects as go

    x = [_label(r) for r in data]
    fig = go.Figure([
        go.Bar(name="targets completed", x=x, y=[r["targets_completed"] for r in data], marker_color=COLOURS["completed"],
               text=[f"{r['targets_completed']}/{r['targets_total']}" for r in data], textposition="outside"),
        go.Bar(name="targets set", x=x, y=[r["targets_total"] for r in data], marker_color=COLOURS["total"]),
    ])
    fig.update_layout(barmode="group", yaxis_title="chỉ tiêu (targets)")
    return fig


def _budget(data: list[dict]):
    """Revenue as % of plan, with the plan line at 100 %."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=[_label(r) for r in data], y=[r["budget_revenue_pct_of_plan"] for r in data],
                           marker_color=COLOURS["pct"], text=[f"{r['budget_revenue_pct_of_plan']:g} %" for r in data],
                           textposition="outside", name="revenue, % of plan"))
    fig.add_hline(y=100, line_dash="dash", line_color="#c62828", annotation_text="plan (100 %)",
                  annotation_position="top left")
    fig.update_layout(yaxis_title="% of plan")
    return fig


def _awards(data: list[dict]):
    """Awards per issuer, stacked by recipient kind."""
    import plotly.graph_objects as go

    issuers = list(dict.fromkeys(r["issuer"] for r in data))[:15][::-1]  # the 15 largest, largest on top
    fig = go.Figure()
    for kind in dict.fromkeys(r["recipient_kind"] for r in data):
        by_issuer = {r["issuer"]: r for r in data if r["recipient_kind"] == kind}
        fig.add_bar(name=kind, orientation="h", y=issuers, x=[by_issuer.get(i, {}).get("awards", 0) for i in issuers],
                    marker_color=COLOURS.get(kind), customdata=[by_issuer.get(i, {}).get("recipients") for i in issuers],
                    hovertemplate="%{y}: %{x} awards, %{customdata} recipients<extra>" + kind + "</extra>")
    fig.update_layout(barmode="stack", xaxis_title="awards", height=max(360, 28 * len(issuers) + 120))
    fig.update_yaxes(automargin=True)  # issuer names are long ("Thủ tướng Chính phủ")
    return fig


def _nights(data: list[dict]):
    """Articles (and stories) loaded per night."""
    import plotly.graph_objects as go

    x = [str(r["night"]) for r in data]
    fig = go.Figure(go.Scatter(x=x, y=[r["articles"] for r in data], name="articles", mode="lines+markers",
                               line_color=COLOURS["articles"]))
    if data and "stories" in data[0]:
        fig.add_scatter(x=x, y=[r["stories"] for r in data], name="stories", mode="lines+markers", line_color=COLOURS["stories"])
    fig.update_layout(yaxis_title="per night", xaxis_type="category")
    return fig


def charts(con) -> list[Chart]:
    """The dashboard's charts; articles per night counts stories too when the warehouse has story_id."""
    # articles_history has every night's loads; the story of an article is on the current version
    stories = "story_id" in columns_of(con, "articles")
    # an award several articles of one story report counts once, as in awards_by_issuer
    canonical = "    where canonical is not false  -- one story, one award\n" if "canonical" in columns_of(con, "awards") else ""
    return [
        Chart("targets", "Targets completed by district and year",
              "select district, year, targets_completed, targets_total\nfrom district_year_summary\n"
              "where targets_total is not null\norder by year, district", _targets),
        Chart("budget", "Budget revenue against plan",
              "select district, year, budget_revenue_pct_of_plan\nfrom district_year_summary\n"
              "where budget_revenue_pct_of_plan is not null\norder by year, district", _budget),
        Chart("awards", "Awards by issuer and recipient kind",
              "with a as (\n    select coalesce(issuer, '(not stated)') as issuer,\n"
              "           coalesce(recipient_kind, '(not stated)') as recipient_kind, recipient_count\n    from awards\n"
              f"{canonical})\n"
              "select issuer, recipient_kind, count(*) as awards, cast(sum(recipient_count) as bigint) as recipients\n"
              "from a group by issuer, recipient_kind\n"
              "order by sum(count(*)) over (partition by issuer) desc, issuer, recipient_kind", _awards),
        Chart("nights", "Articles and stories per night",
              "select cast(h.loaded_at as date) as night, count(distinct h.article_id) as articles,\n"
              "       count(distinct a.story_id) as stories\n"
              "from articles_history h left join articles a using (article_id)\ngroup by night\norder by night",
              _nights) if stories else
        Chart("nights", "Articles per night",
              "select cast(loaded_at as date) as night, count(distinct article_id) as articles\n"
              "from articles_history\ngroup by night\norder by night", _nights),
    ]


def render(con, chart: Chart) -> tuple[str, list[dict]]:
    """The chart's HTML fragment (plotly.js itself is embedded once per page) and its rows."""
    data = rows(con, chart.sql)
    if not data:
        return '<p class="empty">No rows yet: the query returns nothing for this warehouse.</p>', data
    fig = chart.figure(data)
    fig.update_layout(margin={"l": 60, "r": 20, "t": 30, "b": 60}, template="plotly_white",
                      legend={"orientation": "h", "y": 1.12}, font={"family": "system-ui, sans-serif"})
    html = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{chart.key}",
                       config={"displaylogo": False, "responsive": True})
    return html, data


def plotly_js() -> str:
    """plotly.js, to inline once in the dashboard page (the site must work with no network)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()
