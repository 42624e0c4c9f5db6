"""evaluate.py: the demo's pretrained models (not instruction tuned): perplexity and tokenization on every
validation document, and translation, which they cannot do yet: cpt_hi_en's scores are How Multilingual's
P_pre, the performance before tuning (Eq. 1; the paper measures the vanilla LLaMA the same way, App. D).
    python evaluate.py configs/demo_eval_lm.py
"""
tasks = ['ppl', 'mt']
ckpt_dirs = ['out/demo/base/latest', 'out/demo/cpt_hi/latest', 'out/demo/cpt_hi_en/latest']
max_examples = 0
