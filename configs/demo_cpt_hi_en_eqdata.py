"""pretrain.py: the extended vocabulary trained on the same text as demo_cpt_hi_en_noext.py (LLaMA
Beyond English compares vocabularies at equal data). That run sees 100 steps x 4096 tokens: 307k
Hindi tokens in the English vocabulary, which is the text of ~30.9k tokens in the extended one
(10x fewer: 3,167,023 vs 318,807 tokens for hi.train), and 102k English tokens, the same in both.
So: (30.9k + 102k) / 4096 = 32 steps, 23% of the windows Hindi.
    python pretrain.py configs/demo_cpt_hi_en_eqdata.py
"""
init_from = 'out/demo/base/latest'
out_dir = 'out/demo/cpt_hi_en_eqdata'
data_dir = 'out/demo/data_ext'
resize_vocab = True
mixture = {'hi': 0.23, 'en': 0.77}
max_steps = 32
lr = 1e-3
warmup_steps = 10
eval_interval = 32
ckpt_interval = 32
