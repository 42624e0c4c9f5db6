"""evaluate.py: the demo's table: every run's result file side by side (nothing is evaluated).
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
