"""evaluate.py: How Multilingual's quadrants (Eq. 1, sec. 3.2) from the demo's own translation results: bilingual
P is en->hi, multilingual P en->zh (the paper averages en->af and en->ro; the demo has one other language);
P_pre is cpt_hi_en, the model both runs start from, and T its mean score (App. D). No model is loaded.
    python evaluate.py configs/demo_quadrants.py
"""
tasks = ['quadrants']
quadrant_before = 'cpt_hi_en'
quadrant_runs = {'hml_embed': ['hml_embed', 'eng_Latn-hin_Deva'], 'hml_full': ['hml_full', 'eng_Latn-hin_Deva']}
quadrant_multilingual = ['eng_Latn-zho_Hans']
quadrant_metric = 'chrf'  # our choice: the paper's spBLEU needs the FLORES SentencePiece model, which the demo lacks
