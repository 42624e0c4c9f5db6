"""evaluate.py: the demo's table: every run's result file side by side (nothing is evaluated), then one line per
paper effect: its test on the table's cells, the figures it compares, and whether it showed this time.
    python evaluate.py configs/demo_table.py
"""
compare = ['out/demo/eval/base.json', 'out/demo/eval/cpt_hi.json', 'out/demo/eval/cpt_hi_en.json',
           'out/demo/eval/sft_en.json', 'out/demo/eval/sft_coit.json', 'out/demo/eval/sft_naive.json',
           'out/demo/eval/sft_commit.json', 'out/demo/eval/sft_small.json', 'out/demo/eval/hml_embed.json',
           'out/demo/eval/hml_full.json', 'out/demo/eval/analysis.json']
table_rows = ['ppl/en/ppl', 'ppl/hi/bits_per_byte', 'ppl/hi/tokens_per_char', 'qa/en/f1', 'qa/en/code_switching',
              'qa/hi/f1', 'qa/hi/em', 'qa/hi/code_switching', 'mt/eng_Latn-hin_Deva/chrf',
              'mt/eng_Latn-hin_Deva/bleu', 'mt/eng_Latn-hin_Deva/code_switching', 'mt/eng_Latn-zho_Hans/chrf',
              'quadrants/hml_embed/bilingual/delta', 'quadrants/hml_embed/multilingual/delta',
              'quadrants/hml_embed/quadrant', 'quadrants/hml_full/bilingual/delta',
              'quadrants/hml_full/multilingual/delta', 'quadrants/hml_full/quadrant']
# Each effect's direction is the paper's; each bound (a number) is ours, fixed before the seeds were run (README,
# "The demo": the effects table and each one's count over seeds). The forms a test may take: evaluate.py's EFFECT_FORMS.
effects = [
    # LLaMA Beyond English, "How about the Original English Capabilities", Table 2: further pretraining on Chinese
    # alone raises English perplexity (14.7 -> 29.6 after 100K samples, 2.0x; 198.8 after 1M). 1.5x: ours.
    {'name': 'forgetting', 'test': 'cpt_hi:ppl/en/ppl / base:ppl/en/ppl >= 1.5'},
    # the same section: Chinese and English together (Open Chinese LLaMA) keep English perplexity "without
    # significant elevation" (15.0 against 14.7, 1.02x). 1.15x: ours.
    {'name': 'joint training', 'test': 'cpt_hi_en:ppl/en/ppl / base:ppl/en/ppl <= 1.15'},
    # the same Table 2: the new language's perplexity falls with further pretraining (10.2 -> 5.2 after 1M; 3.9 Open
    # Chinese LLaMA); in bits per byte, since the extended vocabulary cuts the text differently. 0.2x: ours.
    {'name': 'bits per byte', 'test': 'cpt_hi_en:ppl/hi/bits_per_byte / base:ppl/hi/bits_per_byte <= 0.2'},
    # x-LLaMA sec. 5.1, Table 2's caption: tuned on English instructions, Alpaca answers English questions (0.95 of
    # XQuAD's). F1 50: ours (the demo's base, asked as its quizzes are written, reads at about 50).
    {'name': 'English QA learned', 'test': 'sft_en:qa/en/f1 >= 50'},
    # x-LLaMA sec. 5.1, Table 2: CoIT answers Hindi questions better than English-only tuning (XQuAD hi 0.81 against
    # Alpaca's 0.41; MLQA hi 0.76 against 0.36). 5 F1 points: ours, so that a few lucky answers do not count.
    {'name': 'CoIT over English-only', 'test': 'sft_coit:qa/hi/f1 - sft_en:qa/hi/f1 >= 5'},
    # x-LLaMA sec. 5.1, Figure 2: CoIT translates English into the new language better than the other LLaMA-based
    # models, Alpaca among them. 10 chrF: ours (a model with no pairs reaches a few chrF on Devanagari alone).
    {'name': 'translation', 'test': 'sft_coit:mt/eng_Latn-hin_Deva/chrf - sft_en:mt/eng_Latn-hin_Deva/chrf >= 10'},
    # COMMIT sec. 4, "Effectiveness of specialized code-mix", Table 4 (EM): the template kept English beats the naive
    # mix (hi: MLQA 4.35 against 3.90, XQuAD 6.22 against 5.21). No margin: the paper's is about one EM point.
    {'name': 'COMMIT over naive', 'test': 'sft_commit:qa/hi/em > sft_naive:qa/hi/em'},
    # How Multilingual sec. 3.2, Eq. 1 and Table 2: Embed FT on en->hi pairs puts Hindi in the selfish quadrant on Ted
    # (its own bilingual direction improves, the others do not; on News Commentary the paper has it reciprocal).
    {'name': 'quadrant', 'test': 'analysis:quadrants/hml_embed/quadrant == selfish'},
]
