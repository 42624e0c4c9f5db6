"""LLaMA Beyond English's "EXT" setting: LLaMA's tokenizer extended with Chinese pieces
(Chinese-LLaMA's recipe: a 20000-piece SentencePiece model on Chinese text, the new pieces appended),
the same corpora in that vocabulary, and BELLE's 950K in it for Table 1's row "950k SFT / LLaMA-EXT with 1M
pretrain" (the only scale the table tunes LLaMA-EXT at).
    python tokenize_prep.py configs/lbe_data_zh_ext.py
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
extend = {'zh': 'corpora/zh/'}
extend_vocab_size = 20000  # Chinese-LLaMA (Cui et al. 2023): 20K Chinese pieces, 49953 in all
extend_out = 'data/lbe_zh_ext/tokenizer.model'
english_text = 'corpora/en_val.txt'
out_dir = 'data/lbe_zh_ext_shards'
pretrain = {'zh': 'corpora/zh/', 'en': 'corpora/en/'}
pretrain_val = {'zh': 'corpora/zh_val.txt', 'en': 'corpora/en_val.txt'}
report = {'zh': 'corpora/zh_val.txt', 'en': 'corpora/en_val.txt'}
sft = {'belle_950k': {'belle_950k': {'path': 'corpora/belle.json', 'lang': 'zh'}}}
sft_budget = {'belle_950k': 950000}  # LBE Table 1's SFT scale for LLaMA-EXT
