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
    # x-LLaMA's CoIT (sec. 3.1): every resource at hand, as its runs combine Alpaca, translated Alpaca and all the
    # parallel data (Hindi: 234k WikiMatrix and News Commentary pairs beside 52k + 52k instructions, Table 1):
    # English and Hindi instruction records (the same tasks translated; each language its own draw) and every pair
    'coit': {'coit_en': {'path': 'data/demo/alpaca_en.json', 'lang': 'en'},
             'alpaca_hi': {'path': 'data/demo/alpaca_hi.json', 'lang': 'hi'},
             'en-hi': {'path': 'data/demo/en-hi.train.tsv', 'lang': 'en-hi'}},
    # COMMIT: the English instructions code-mixed with the en-hi dictionary (codemix.py), the English
    # template untouched; naive: the whole prompt mixed, template included (codemix.py --naive=True)
    'commit': {'codemix_hi': {'path': 'out/demo/codemix/alpaca_en_codemix_hi.json', 'lang': 'hi'}},
    'naive': {'naive_hi': {'path': 'out/demo/codemix/alpaca_en_naive_hi.json', 'lang': 'hi'}},
    # LLaMA Beyond English: the same English instructions, fewer of them
    'sft_small': {'small_en': {'path': 'data/demo/alpaca_en.json', 'lang': 'en'}},
    # How Multilingual: English->Hindi translation instructions alone, for embedding-only vs full tuning
    'pairs': {'hml_en-hi': {'path': 'data/demo/en-hi.train.tsv', 'lang': 'en-hi'}},
}
# examples drawn from each source (a seeded draw per source name): 2,000 of the 4,123 instruction records in sft,
# coit (in each language), commit and naive; 500 in sft_small; every pair (no budget)
sft_budget = {'alpaca_en': 2000, 'coit_en': 2000, 'alpaca_hi': 2000, 'codemix_hi': 2000, 'naive_hi': 2000,
              'small_en': 500}
