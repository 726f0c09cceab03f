"""Model cards: for every registered detector, what it looks for, what it reads, how it decides, the
thresholds the latest run used, how false alarms are kept down, how well it did on planted cases
(docs/quality.md, when present), its limits and its legal basis.
"""
from __future__ import annotations

import streamlit as st

from courtwatch.core.vocabulary import CATEGORIES
from courtwatch.dashboard import data_cards, labels, session, state, widgets
from courtwatch.dashboard.labels import tr

session.require_signed_in()
st.title(tr("page_cards"))
st.caption(tr("cards_intro"))
widgets.notice()
cards = data_cards.model_cards()
if not cards:
    st.info(tr("no_cards"))
    st.stop()
categories = [c for c in CATEGORIES if any(card["category"] == c for card in cards)]
for tab, category in zip(st.tabs([labels.category_label(c) for c in categories]), categories):
    with tab:
        for card in (c for c in cards if c["category"] == category):
            title = card["title_zh"] if state.lang() == "zh" else card["title_en"]
            with st.expander(f"{title or card['name']} · `{card['name']}`"):
                st.markdown(f"**{tr('card_purpose')}** — {tr('card_kind_' + card['kind'])}")
                st.markdown(f"**{tr('card_subject')}**: {tr('subject_' + card['subject_type'])}；"
                            f"**{tr('card_inputs')}**: {card['needs']}")
                st.markdown(f"**{tr('card_method')}**: {card['method']}")
                st.markdown(f"**{tr('card_thresholds')}** ({tr('card_config_source', source=card['config_source'])})")
                if card["thresholds"]:
                    st.dataframe({tr("col_setting"): [labels.setting_label(k) for k in card["thresholds"]],
                                  tr("col_value"): [labels.plain_value(v) for v in card["thresholds"].values()],
                                  tr("col_key"): list(card["thresholds"])},
                                 hide_index=True, width="stretch")
                    if any(v is None for v in card["thresholds"].values()):
                        st.caption(tr("card_setting_missing"))
                else:
                    st.caption(tr("card_no_thresholds"))
                st.markdown(f"**{tr('card_false_alarms')}**: {card['false_alarm_control']}")
                st.markdown(f"**{tr('card_quality')}**")
                if card["quality_md"]:
                    st.markdown(card["quality_md"])
                if card["quality_json"] is not None:
                    st.json(card["quality_json"], expanded=False)
                if not card["quality_md"] and card["quality_json"] is None:
                    st.caption(tr("card_no_quality"))
                st.markdown(f"**{tr('card_limitations')}**: {card['limitations']}")
                st.markdown(f"**{tr('legal_basis')}**: {card['legal_basis']}")
                run = card.get("run")
                if run and state.assistance_on():
                    st.caption(tr("card_last_run", status=tr("status_" + str(run["status"])), flags=int(run["flag_count"]),
                                  skipped=int(run["rows_skipped"] or 0), note=run.get("note") or ""))
                elif not run:
                    st.caption(tr("card_not_run"))
