"""One flag (`?flag=<flag_id>`): plain explanation, legal basis, the comparison behind it, evidence, the case
timeline, other flags on the same case, judge or lawyer, and the reviewers' dispositions with their reasons.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from courtwatch.dashboard import charts, data_flags, data_ops, data_people, labels, navigation, session, state, widgets
from courtwatch.dashboard.labels import tr

widgets.flag_page_header("page_flag")

flag_id = st.query_params.get("flag") or state.remembered("flag", None)
if not flag_id:
    st.info(tr("flag_pick"))
    entered = st.text_input(tr("flag_id_input"), key="flag_id_input").strip()
    if entered:
        navigation.go_to_flag(entered)
    st.stop()

record = data_flags.flag(flag_id)
if record is None:
    st.warning(tr("flag_not_found", flag_id=flag_id))
    st.stop()
state.remember("flag", flag_id)
if st.query_params.get("flag") != flag_id:
    st.query_params["flag"] = flag_id  # a reload or a copied link comes back to this flag
# One audit entry per flag and session, not one per rerun of the page.
viewed = st.session_state.setdefault("audit_viewed_flags", [])
if flag_id not in viewed:
    data_ops.audit_view(session.reviewer(), flag_id)
    viewed.append(flag_id)

evidence = record["evidence"]
if not record.get("is_latest_run"):
    st.warning(tr("flag_not_in_latest", run_id=record["run_id"]))
st.subheader(f"{labels.detector_title(record['detector'])} · {record['subject_id']}")
cols = st.columns([1, 1, 4])
cols[0].metric(tr("level"), labels.level_label(record["level"]))
cols[1].metric(tr("score"), f"{record['score']:.2f}")
cols[1].caption(labels.score_meaning(record))  # what the number means, beside it
status_slot = cols[2].empty()  # filled at the end, after a disposition submitted below is stored

st.markdown(f"**{tr('explanation')}**")
st.markdown(labels.explanation(record))
st.markdown(f"**{tr('legal_basis')}**: {labels.legal_basis(record)}")
# Names stay masked unless a user whose role allows it asks; each reveal is audited.
if record.get("judge_id") and st.button(tr("reveal_name"), key="reveal_name", icon=":material/visibility:"):
    revealed = data_ops.reveal_judge_name(record["judge_id"], session.reviewer())
    st.info(tr("revealed_name", name=revealed or "—"))
links = st.columns(4)
if record.get("judge_id"):
    links[0].page_link(navigation.JUDGE_PAGE, label=tr("open_judge"), icon=":material/person:", query_params={"judge": record["judge_id"]})
if record.get("court_id"):
    links[1].page_link(navigation.COURT_PAGE, label=tr("open_court"), icon=":material/account_balance:", query_params={"court": record["court_id"]})
links[2].page_link(navigation.FLAGS_PAGE, label=tr("back_to_flags"), icon=":material/flag:")
st.caption(tr("flag_ids", flag_id=record["flag_id"], run_id=record["run_id"], case_id=record.get("case_id") or "—"))

# ---- the comparison behind the warning
st.markdown(f"#### {tr('comparison')}")
peers = data_flags.similar_cases(record)
pair = data_flags.judge_lawyer_comparison(record.get("judge_id"), record.get("lawyer_id")) \
    if record["subject_type"] == "judge_lawyer" else pd.DataFrame()
if not peers.empty:
    charts.chart(charts.similar_cases_figure(peers, evidence), "fd_similar", clickable=False)
    st.dataframe(labels.similar_cases_table(peers), hide_index=True, width="stretch")
    st.caption(labels.similar_cases_note(data_flags.similar_cases_basis(record)))
elif not pair.empty:
    charts.chart(charts.pair_figure(pair), "fd_pair", clickable=False)
    st.caption(tr("pair_note", pair=int(pair.loc[pair["group"] == "pair", "cases"].sum()),
                  others=int(pair.loc[pair["group"] == "others", "cases"].sum())))
elif record["subject_type"] == "judge" and record["category"] == "enforcement":
    officers, summary = data_people.termination_funnel(judge_id=record["judge_id"])
    if officers.empty or not officers["highlight"].any():
        st.info(tr("no_comparison"))
    else:
        charts.chart(charts.funnel_figure(officers, summary, title=tr("chart_funnel_judge")), "fd_funnel",
                     clickable=False)
        st.caption(tr("funnel_note", phi=f"{summary['phi']:.2f}", n=summary["officers"]))
else:
    observed = evidence.get("observed")
    figures = {k: v for k, v in (observed if isinstance(observed, dict) else evidence).items()
               if not isinstance(v, (dict, list)) and k not in labels.EVIDENCE_TEXT_KEYS}
    if figures:
        st.caption(tr("rule_no_peers") if isinstance(observed, dict) else tr("evidence_figures"))
        st.dataframe(pd.DataFrame({tr("col_item"): [labels.field_label(k) for k in figures],
                                   tr("col_value"): [labels.evidence_value(k, v) for k, v in figures.items()]}),
                     hide_index=True, width="stretch")
    if record["subject_type"] == "judge" and record.get("judge_id"):
        rates = data_people.unit_rates("judge", record["judge_id"])
        if not rates.empty:
            st.markdown(f"**{tr('rates_vs_peers_all')}**")
            st.dataframe(labels.rates_table(rates), hide_index=True, width="stretch")
            st.caption(tr("rates_note_judge"))
    elif not figures:
        st.info(tr("no_comparison"))

with st.expander(tr("evidence_all")):
    st.caption(tr("evidence_as_stored"))
    widgets.json_block(evidence)

# ---- the case
if record.get("case_id"):
    st.markdown(f"#### {tr('timeline')} · {record['case_id']}")
    timeline = data_flags.case_timeline(record["case_id"])
    if timeline.empty:
        st.info(tr("no_timeline"))
    else:
        charts.chart(charts.timeline_figure(timeline), "fd_timeline", clickable=False)
        st.dataframe(labels.timeline_table(timeline), hide_index=True, width="stretch")

# ---- other flags on the same case, judge or lawyer
st.markdown(f"#### {tr('related')}")
related = data_flags.related_flags(record)
if related.empty:
    st.caption(tr("no_related"))
else:
    table = related.drop_duplicates("flag_id").reset_index(drop=True)
    chosen = widgets.related_flags_table(table, key=f"related_{flag_id}")
    widgets.open_clicked_flag(chosen, f"choice_opened_from_{flag_id}")

# ---- dispositions
st.markdown(f"#### {tr('disposition')}")
widgets.disposition_form(record, view_is_new=navigation.just_arrived())
widgets.disposition_history(flag_id)

status_slot.markdown(f"**{tr('category')}**: {labels.category_label(record['category'])}  \n"
                     f"**{tr('court')}**: {record.get('court_name') or record.get('court_id') or '—'}  \n"
                     f"**{tr('judge')}**: {record.get('judge_label') or '—'}  \n"
                     f"**{tr('review_status')}**: {labels.review_label(data_ops.current_review(flag_id))}")
