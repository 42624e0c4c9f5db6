"""evaluate.py: the demo's instruction-tuned models on the full held-out sets (222 questions per
language, 100 FLORES-style sentences, every validation document), so that a difference of 10 F1
between two runs is more than noise (README.md, "The demo", says how much they move across seeds).
    python evaluate.py configs/demo_eval.py
"""
tasks = ['ppl', 'qa', 'mt']
ckpt_dirs = ['out/demo/sft_en/latest', 'out/demo/sft_coit/latest', 'out/demo/sft_naive/latest',
             'out/demo/sft_commit/latest', 'out/demo/sft_small/latest']
max_examples = 0
