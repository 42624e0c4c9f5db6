"""tokenize_prep.py: the demo's extended vocabulary (Chinese-LLaMA's recipe, LLaMA Beyond English's
"EXT" models): pieces learnt on the Hindi and Chinese text appended to the English tokenizer; the
text shards again in that vocabulary, and the two instruction mixtures the demo tunes on.
    python tokenize_prep.py configs/demo_extend.py
"""
extend = {'hi': 'data/demo/hi.train.txt', 'zh': 'data/demo/zh.train.txt'}
extend_vocab_size = 1000  # per language; the demo's small Hindi text allows at most ~1400 pieces
out_dir = 'out/demo/data_ext'
sft = {
    # plain: English instructions and English->Hindi translation (x-LLaMA's translation task)
    'sft': {'alpaca_en': {'path': 'data/demo/alpaca_en.json', 'lang': 'en'},
            'en-hi': {'path': 'data/demo/en-hi.train.tsv', 'lang': 'en-hi'}},
    # COMMIT: the same English instructions code-mixed with the en-hi dictionary (codemix.py), the
    # English template untouched, and the same translation data
    'commit': {'codemix_hi': {'path': 'out/demo/codemix/alpaca_en_codemix_hi.json', 'lang': 'hi'},
               'en-hi': {'path': 'data/demo/en-hi.train.tsv', 'lang': 'en-hi'}},
}
sft_budget = {'alpaca_en': 500, 'codemix_hi': 500, 'en-hi': 1000}  # examples drawn from each source
