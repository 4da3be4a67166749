-- Views of warehouse.duckdb, applied by `etl publish` (and every `etl run`) to a
-- fresh database that is then renamed into place. `_raw_<table>` views over the
-- Parquet files are created first by etl.publish; everything below reads only those.
-- Contract views keep their names and columns. What is costly to derive (the
-- current version of each article, the dashboard aggregates) is computed once per
-- publish into `_`-prefixed tables and read through views of the public names.

-- Current version of each article: the latest committed load wins; older ones stay in articles_history.
create or replace view articles_history as select * from _raw_articles;
create or replace table _current_articles as
select article_id, content_hash, run_id, article_year from _raw_articles
qualify row_number() over (partition by article_id order by loaded_at desc, run_id desc) = 1;

-- >>> stories (etl.stories, issue 13) -----------------------------------------------------------
-- etl.stories places every article in a story once (`story_members`); a later article that shows
-- two stories are one folds the younger into the older (`story_merges`). An article's story is its
-- assignment followed through the merges; `story_rank` orders a story's articles (first seen first).
create or replace table _article_stories as
with recursive edges as (select distinct merged_id, story_id from _raw_story_merges),
chain(merged_id, story_id, depth) as (
    select merged_id, story_id, 1 from edges
    union all
    select chain.merged_id, edges.story_id, chain.depth + 1
    from chain join edges on edges.merged_id = chain.story_id
    where chain.depth < 64
),
merged_into as (select merged_id, arg_max(story_id, depth) as story_id from chain group by merged_id),
assigned as (
    select article_id, story_id from _raw_story_members
    qualify row_number() over (partition by article_id order by assigned_at, story_id) = 1
),
cur as (
    select r.article_id, coalesce(r.published_at, r.fetched_at) as seen from _raw_articles r
    semi join _current_articles c using (article_year, article_id, content_hash, run_id)
)
select cur.article_id,
       -- an article publish has not placed yet (a views-only rebuild) stands alone
       coalesce(mi.story_id, st.story_id, 's' || cur.article_id) as story_id,
       row_number() over (partition by coalesce(mi.story_id, st.story_id, 's' || cur.article_id)
                          order by cur.seen, cur.article_id) as story_rank
from cur
left join assigned st using (article_id)
left join merged_into mi on mi.merged_id = st.story_id;
-- <<< stories ----------------------------------------------------------------------------------

create or replace view articles as
select r.* exclude (article_year), st.story_id from _raw_articles r
semi join _current_articles c using (article_year, article_id, content_hash, run_id)
left join _article_stories st using (article_id);

-- Facts count only when their article version was committed by the same run. `_extracted_<table>`
-- holds what the rules gave; the public fact views apply people's corrections (etl.corrections).
-- Each fact carries its article's story_id; `canonical` marks the copy the dashboards count when
-- several articles of one story report the same fact (same table, indicator/award, unit, value,
-- year): the copies of the story's first-seen article that reports it (issue 13). Added facts
-- (corrections) have canonical null and count.
create or replace view _extracted_metrics as
select f.* exclude (article_year), st.story_id,
       st.story_rank = min(st.story_rank) over (partition by st.story_id, indicator, unit, value, year) as canonical
from _raw_metrics f join _article_stories st using (article_id)
semi join _current_articles c using (article_year, article_id, content_hash, run_id);
create or replace view _extracted_awards as
select f.* exclude (article_year), st.story_id,
       st.story_rank = min(st.story_rank) over (partition by st.story_id, award, recipient_kind, recipient_count, year) as canonical
from _raw_awards f join _article_stories st using (article_id)
semi join _current_articles c using (article_year, article_id, content_hash, run_id);
create or replace view _extracted_movements as
select f.* exclude (article_year), st.story_id,
       st.story_rank = min(st.story_rank) over (partition by st.story_id, lower(name), kind) as canonical
from _raw_movements f join _article_stories st using (article_id)
semi join _current_articles c using (article_year, article_id, content_hash, run_id);
create or replace view _extracted_officials as
select f.* exclude (article_year), st.story_id,
       st.story_rank = min(st.story_rank) over (partition by st.story_id, lower(name)) as canonical
from _raw_officials f join _article_stories st using (article_id)
semi join _current_articles c using (article_year, article_id, content_hash, run_id);
create or replace view _extracted_documents as
select f.* exclude (article_year), st.story_id,
       st.story_rank = min(st.story_rank) over (partition by st.story_id, doc_type, coalesce(number, lower(quote))) as canonical
from _raw_documents f join _article_stories st using (article_id)
semi join _current_articles c using (article_year, article_id, content_hash, run_id);

-- @corrections: etl.corrections puts here `_latest_corrections`, the fact views metrics … documents
-- (corrected values with corrected = true, rejected facts left out, added facts in) and the `corrections` view.

-- A rejected row is listed once, however many runs met it.
create or replace view quarantine as
select * from _raw_quarantine
qualify row_number() over (partition by table_name, coalesce(row_key, row) order by quarantined_at, run_id) = 1;

-- The latest record of each run (a run is recorded when it starts and when it ends).
create or replace view runs as
select * from _raw_runs
qualify row_number() over (partition by run_id order by recorded_at desc) = 1;

-- Every HTTP fetch of every run (etl.fetch): status (304 = unchanged), bytes, seconds, error.
create or replace view fetches as select * from _raw_fetches;

-- >>> stories (etl.stories, issue 13) -----------------------------------------------------------
-- One row per story: when it was first and last seen, how many articles and which outlets told it,
-- its place (the first of its articles, in story order, that names one) and a representative
-- article (the first seen). A view, not a table: cheap over _article_stories, and it keeps the
-- database file small (a publish writes a second copy of it before the rename).
create or replace view stories as
select st.story_id,
       min(coalesce(r.published_at, r.fetched_at)) as first_seen,
       max(coalesce(r.published_at, r.fetched_at)) as last_seen,
       count(*) as articles,
       -- the outlet as printed, else the site's name (a folder's source_name names no outlet)
       list(distinct coalesce(r.source, r.sitename) order by coalesce(r.source, r.sitename))
           filter (where coalesce(r.source, r.sitename) is not null) as outlets,
       arg_min(r.district, st.story_rank) filter (where r.district is not null) as district,
       arg_min(r.province, st.story_rank) filter (where r.province is not null) as province,
       arg_min(coalesce(r.year, year(r.published_at)), st.story_rank)
           filter (where coalesce(r.year, year(r.published_at)) is not null) as year,
       arg_min(r.title, st.story_rank) as title,
       arg_min(r.article_id, st.story_rank) as article_id,
       arg_min(r.uri, st.story_rank) as uri
from _article_stories st join articles r using (article_id)
group by st.story_id;
-- Two stories found to be one: `merged_id` reads as the older `story_id` everywhere.
create or replace view story_merges as select distinct on (merged_id) * from _raw_story_merges order by merged_id, merged_at;
-- <<< stories ----------------------------------------------------------------------------------

-- Dashboard views -------------------------------------------------------------

-- Place and year of each article's story (for a single-article story, the article's own), so a
-- republished copy or another outlet's report of one event lands in the same district and year.
create or replace view fact_years as
select a.article_id, st.district, st.province, st.year as article_year, story_id
from articles a join stories st using (story_id);

-- Per district and year: the headline target ratio (first one stated in the latest
-- article), budget revenue against plan, awarded collectives/individuals, articles.
-- Every number counts an event once: canonical facts only, and `articles` = `stories`, the
-- number of stories (a republished copy or a second outlet's report is not another article here).
create or replace table _district_year_summary as
with m as (
    select m.*, fy.district, fy.province, coalesce(m.year, fy.article_year) as y, a.published_at, a.loaded_at
    from metrics m join fact_years fy using (article_id) join articles a using (article_id)
    where canonical is not false
),
targets as (
    select district, province, y as year,
           arg_max(numerator, (coalesce(published_at, loaded_at), -seq)) as targets_completed,
           arg_max(denominator, (coalesce(published_at, loaded_at), -seq)) as targets_total
    from m where indicator = 'targets_completed' and unit = 'ratio'
    group by all
),
budget as (
    select district, province, y as year,
           arg_max(case when lower(quote) like 'vượt%' then 100 + value else value end,
                   (coalesce(published_at, loaded_at), -seq)) as budget_revenue_pct_of_plan
    from m where indicator = 'budget_revenue' and unit = 'percent'
    group by all
),
aw as (
    select fy.district, fy.province, coalesce(w.year, fy.article_year) as year,
           sum(case when recipient_kind = 'collective' then recipient_count end) as collective_awards,
           sum(case when recipient_kind = 'individual' then recipient_count end) as individual_awards
    from awards w join fact_years fy using (article_id)
    where canonical is not false
    group by all
),
arts as (
    select district, province, article_year as year, count(distinct story_id) as stories
    from fact_years group by all
),
keys as (
    select district, province, year from targets union
    select district, province, year from budget union
    select district, province, year from aw union
    select district, province, year from arts
)
select k.district, k.province, k.year,
       -- counts are integers: a dashboard shows 14/14, not 14.0/14.0
       cast(t.targets_completed as bigint) as targets_completed, cast(t.targets_total as bigint) as targets_total,
       b.budget_revenue_pct_of_plan,
       cast(coalesce(aw.collective_awards, 0) as bigint) as collective_awards,
       cast(coalesce(aw.individual_awards, 0) as bigint) as individual_awards,
       cast(coalesce(arts.stories, 0) as bigint) as articles,
       cast(coalesce(arts.stories, 0) as bigint) as stories
from keys k
left join targets t on t.district is not distinct from k.district and t.province is not distinct from k.province and t.year = k.year
left join budget b on b.district is not distinct from k.district and b.province is not distinct from k.province and b.year = k.year
left join aw on aw.district is not distinct from k.district and aw.province is not distinct from k.province and aw.year = k.year
left join arts on arts.district is not distinct from k.district and arts.province is not distinct from k.province and arts.year = k.year
where k.year is not null;

create or replace table _awards_by_issuer as
select coalesce(issuer, '(not stated)') as issuer, award,
       -- canonical facts: an award reported by several articles of one story counts once
       count(*) filter (where canonical is not false) as awards,
       cast(sum(recipient_count) filter (where canonical is not false) as bigint) as recipients,
       count(distinct article_id) as articles, count(distinct story_id) as stories
from awards group by all;

-- One row per campaign name, however it is capitalised; its usual spelling and kind.
create or replace table _movement_mentions as
select mode(mv.name) as name, mode(mv.kind) as kind,
       list(distinct a.district order by a.district) filter (where a.district is not null) as districts,
       count(distinct mv.article_id) as articles, count(distinct mv.story_id) as stories,
       min(coalesce(a.published_at, a.fetched_at)) as first_seen,
       max(coalesce(a.published_at, a.fetched_at)) as last_seen
from movements mv join articles a using (article_id)
group by lower(mv.name);

create or replace table _latest_articles as
select a.article_id, a.title, a.source, a.district, a.province, a.published_at, a.uri,
       a.word_count, (select count(*) from metrics m where m.article_id = a.article_id) as metrics,
       (select count(*) from awards w where w.article_id = a.article_id) as awards,
       a.loaded_at
from articles a
order by coalesce(a.published_at, a.loaded_at) desc;

create or replace view district_year_summary as select * from _district_year_summary;
create or replace view awards_by_issuer as select * from _awards_by_issuer;
create or replace view movement_mentions as select * from _movement_mentions;
create or replace view latest_articles as select * from _latest_articles order by coalesce(published_at, loaded_at) desc;
