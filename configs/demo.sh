#!/usr/bin/env bash
# The whole demo: a tiny English-centric LLaMA, trained from scratch, taught Hindi, then instruction
# tuned seven ways. Each line is one stage; each stage is also what its script does with no arguments
# (or with the config named). 10 to 20 minutes on 2 CPU cores; everything is written under out/demo/
# (rerunning replaces it). `SEED=2 bash configs/demo.sh`: another seed (default 1337) for every stage that
# draws (codemix, tokenize_prep, pretrain, sft: their `seed` setting); evaluate.py draws nothing (greedy).
# The last line prints the table, then one line per paper effect: shown, or not shown this time.
set -euo pipefail
cd "$(dirname "$0")/.."
SEED="${SEED:-1337}"
python codemix.py configs/demo_codemix.py --seed="$SEED"                      # COMMIT: English Alpaca code-mixed with the en-hi dictionary
python codemix.py configs/demo_codemix_naive.py --seed="$SEED"                # COMMIT's naive baseline: the template mixed too
python tokenize_prep.py --seed="$SEED"                                        # an English tokenizer; en/hi/zh shards in it
python tokenize_prep.py configs/demo_extend.py --seed="$SEED"                 # + Hindi and Chinese pieces; shards and instruction mixtures
python pretrain.py --overwrite=True --seed="$SEED"                            # the English base, from scratch: it learns to read its quizzes
python pretrain.py configs/demo_cpt_hi.py --overwrite=True --seed="$SEED"     # Hindi alone: English is forgotten
python pretrain.py configs/demo_cpt_hi_en.py --overwrite=True --seed="$SEED"  # Hindi with English mixed in
python sft.py --overwrite=True --seed="$SEED"                                 # English instructions only
python sft.py configs/demo_sft_coit.py --overwrite=True --seed="$SEED"        # x-LLaMA's CoIT: + Hindi instructions + en->hi translation
python sft.py configs/demo_sft_naive.py --overwrite=True --seed="$SEED"       # COMMIT's naive code-mix (template mixed)
python sft.py configs/demo_sft_commit.py --overwrite=True --seed="$SEED"      # COMMIT (template kept English)
python sft.py configs/demo_sft_small.py --overwrite=True --seed="$SEED"       # LLaMA Beyond English: 500 instructions, not 2,000
python sft.py configs/demo_hml_embed.py --overwrite=True --seed="$SEED"       # How Multilingual: en->hi pairs, input embeddings only
python sft.py configs/demo_hml_full.py --overwrite=True --seed="$SEED"        # How Multilingual: the same pairs, every weight
python evaluate.py configs/demo_eval_lm.py                                    # the pretrained models: perplexity, tokenization, translation
python evaluate.py                                                            # the tuned models: + QA, full held-out sets
python evaluate.py configs/demo_quadrants.py                                  # How Multilingual's quadrants (Eq. 1) from those results
python evaluate.py configs/demo_table.py                                      # all of them: one table, then a line per paper effect
