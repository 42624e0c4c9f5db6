r"""LLaMA Beyond English (Zhao et al. 2024): LLM-Eval's five 0-3 scores from GPT-4 with the Appendix's
prompt, the instruction, the response and the reference answer ("Evaluation Protocol"), and the
code-switching rate of the responses (Fig. 4); knowledge: C-Eval 5-shot here, MMLU 5-shot and AGI-Eval,
GAOKAO-Bench zero-shot by the commands below. The judge needs OPENAI_API_KEY.
    python evaluate.py configs/eval_lbe.py
    python evaluate.py configs/eval_lbe.py --tasks="['mc']" --mc_format=mmlu --mc_dir=data/eval/mmlu --mc_split=test
    python evaluate.py configs/eval_lbe.py --tasks="['mc']" --mc_format=agieval --mc_shots=0 \
        --mc_dir=data/eval/agieval/v1
    python evaluate.py configs/eval_lbe.py --tasks="['mc']" --mc_format=gaokao --mc_shots=0 \
        --mc_dir=data/eval/gaokao/Objective_Questions
Each command writes its own out/eval/lbe/{run}.json; give each an out_dir of its own (--out_dir=...) to
keep them all. The base model is LLaMA-7B as in the paper.
"""
tasks = ['chat', 'judge', 'mc']
# LBE Table 1, its rows as printed (lbe_sft_{scale}_{start}.py; tests/test_configs.py holds the table)
ckpt_dirs = ['out/lbe/sft_1k_llama/latest', 'out/lbe/sft_1k_cpt10k/latest', 'out/lbe/sft_1k_cpt100k/latest',
             'out/lbe/sft_1k_cpt1m/latest', 'out/lbe/sft_1k_chinese_llama/latest',
             'out/lbe/sft_1k_open_chinese_llama/latest',
             'out/lbe/sft_5k_llama/latest', 'out/lbe/sft_5k_cpt10k/latest', 'out/lbe/sft_5k_cpt100k/latest',
             'out/lbe/sft_5k_cpt1m/latest', 'out/lbe/sft_5k_chinese_llama/latest',
             'out/lbe/sft_5k_open_chinese_llama/latest',
             'out/lbe/sft_950k_llama/latest', 'out/lbe/sft_950k_cpt1m/latest', 'out/lbe/sft_950k_cpt1m_ext/latest',
             'out/lbe/sft_950k_chinese_llama/latest', 'out/lbe/sft_950k_open_chinese_llama/latest',
             'out/lbe/sft_950k_llama2/latest', 'out/lbe/sft_950k_chinese_llama2/latest']
out_dir = 'out/eval/lbe'
device = 'cuda'
dtype = 'bfloat16'
max_seq_len = 2048
batch_size = 16
max_examples = 0
chat_files = {'zh': 'data/eval/llm_eval/zh.json'}  # LLM-Eval's 453 instructions, {instruction, input, output}
chat_max_new_tokens = 512  # our choice: the paper does not say
judge_url = 'https://api.openai.com/v1'
judge_mode = 'llm-eval'  # gpt-4; one reading at temperature 0: our choice (the paper does not say)
mc_format = 'ceval'
mc_dir = 'data/eval/ceval'
mc_split = 'val'  # C-Eval hides its test answers
mc_shots = 5
table_rows = ['judge/zh/accuracy', 'judge/zh/fluency', 'judge/zh/informativeness', 'judge/zh/logicality',
              'judge/zh/harmlessness', 'judge/zh/average', 'chat/zh/code_switching/rate', 'mc/acc']
