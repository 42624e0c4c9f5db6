"""tokenize_prep.py: the demo's extended vocabulary (Chinese-LLaMA's recipe, LLaMA Beyond English's
"EXT" models): pieces learnt on the Hindi and Chinese text appended to the English tokenizer; the
text shards again in that vocabulary, and the instruction mixtures the demo tunes on.
    python tokenize_prep.py configs/demo_extend.py
"""
extend = {'hi': 'data/demo/hi.train.txt', 'zh': 'data/demo/zh.train.txt'}
extend_vocab_size = 1000  # per language; the demo's small Hindi text allows at most ~1400 pieces
out_dir = 'out/demo/data_ext'
sft = {
    'sft': {'alpaca_en': {'path': 'data/demo/alpaca_en.json', 'lang': 'en'}},  # English instructions only (Alpaca)
    # x-LLaMA's CoIT: English and Hindi instructions, and English->Hindi translation
    'coit': {'coit_en': {'path': 'data/demo/alpaca_en.json', 'lang': 'en'},
             'alpaca_hi': {'path': 'data/demo/alpaca_hi.json', 'lang': 'hi'},
             'en-hi': {'path': 'data/demo/en-hi.train.tsv', 'lang': 'en-hi'}},
    # COMMIT: the English instructions code-mixed with the en-hi dictionary (codemix.py), the English
    # template untouched; naive: the whole prompt mixed, template included (codemix.py --naive=True)
    'commit': {'codemix_hi': {'path': 'out/demo/codemix/alpaca_en_codemix_hi.json', 'lang': 'hi'}},
    'naive': {'naive_hi': {'path': 'out/demo/codemix/alpaca_en_naive_hi.json', 'lang': 'hi'}},
    # LLaMA Beyond English: the same English instructions, fewer of them
    'sft_small': {'small_en': {'path': 'data/demo/alpaca_en.json', 'lang': 'en'}},
}
# examples drawn from each source (seeded): 2,000 in each of the four main mixtures
sft_budget = {'alpaca_en': 2000, 'coit_en': 700, 'alpaca_hi': 700, 'en-hi': 600, 'codemix_hi': 2000, 'naive_hi': 2000,
              'small_en': 500}
