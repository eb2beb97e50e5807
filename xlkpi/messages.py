"""The message catalogue: every sentence a person reads, in Simplified Chinese and English.

How to add a message: pick a dotted key named after the module and the situation
(``"lock.held"``), add ``key: (zh, en)`` to :data:`MESSAGES` below, and write it with
``t("lock.held", name=path.name)``. Placeholders are ``str.format`` fields; pass values, never
pre-formatted sentences. Chinese text uses Chinese punctuation (，。：；（）“”？！) and names
commands in backticks (`xlkpi recalc`); ``tests/test_messages.py`` checks that no zh message
holds an ASCII-only sentence and that both languages use the same placeholders.

The language is chosen once per run (:func:`set_lang`): ``--lang`` when given, else the
workbook's meta key ``lang``, else the ``LANG`` / ``LC_ALL`` environment variables
(``en_US.UTF-8`` → English), else Chinese. :func:`t` renders in the current language.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"
_current = [DEFAULT_LANG]

MESSAGES: dict[str, tuple[str, str]] = {
    # --- the command line: help texts -------------------------------------------------------
    "cli.description": (
        "电商公司的绩效考核分数与月度工资（工资表、工资条、封账）。",
        "KPI scores and monthly pay for small e-commerce companies (payroll, payslips, seal).",
    ),
    "cli.epilog": (
        "每月流程：`new-month` → `check` → `recalc` → `payslips` → `close`。"
        "用 `xlkpi 命令 --help` 查看某个命令的说明。",
        "The monthly cycle: new-month → check → recalc → payslips → close. "
        "Run `xlkpi COMMAND --help` for one command.",
    ),
    "cli.commands": ("命令", "commands"),
    "cli.help": ("显示本帮助并退出", "show this help and exit"),
    "cli.version": ("显示版本号并退出", "show the version and exit"),
    "cli.no_progress": ("不显示进度条", "do not show progress bars"),
    "cli.lang": (
        "界面语言：zh（简体中文）或 en（英文）；默认跟随工作簿，其次是环境变量 LANG",
        "language of the messages: zh or en; by default the workbook's, else LANG",
    ),
    "cli.book": ("月度工作簿（.xlsx）", "the month workbook (.xlsx)"),
    "cli.demo": ("显示演示门店的工资表（并写出演示工作簿）", "show the demo shop's payroll"),
    "cli.demo.out": ("演示工作簿所在的文件夹（默认：当前文件夹）", "folder for the demo workbook"),
    "cli.demo.no_workbook": ("只显示，不写工作簿", "only print, write no workbook"),
    "cli.explain": ("同时显示每个人的计算过程", "also show each employee's calculation"),
    "cli.all_alerts": ("显示全部预警（默认只显示前几条）", "show every alert, not only the first"),
    "cli.new_month": (
        "开始新的月份：从空白模板或上月工作簿",
        "start a month from the template or last month",
    ),
    "cli.new_month.from": (
        "上月工作簿（花名册、参数和历史会带到新月份）",
        "last month's workbook (roster, policy and history carried forward)",
    ),
    "cli.new_month.template": ("从空白模板开始", "start from the blank template"),
    "cli.new_month.month": ("新月份，格式 YYYY-MM", "the new month, YYYY-MM"),
    "cli.new_month.out": ("新工作簿的文件名", "the new workbook"),
    "cli.new_month.force": (
        "上月未重算也带过来；覆盖已有的 --out 文件",
        "carry forward a month that was not recalculated; overwrite --out",
    ),
    "cli.check": ("校验全部输入和参数，一次列出所有问题", "validate every input and the policy"),
    "cli.key": (
        "封账密钥文件（带密钥的封账，密钥保存在工作簿之外）",
        "seal key file (keyed seal; the key is kept outside the workbook)",
    ),
    "cli.recalc": ("计算本月工资并写回工作簿", "compute the month and write the results"),
    "cli.recalc.reopen": ("重新计算已封账的月份", "recalculate a sealed (closed) month"),
    "cli.recalc.table": ("同时显示工资表", "also print the payroll table"),
    "cli.payslips": ("工资条：可打印的工资条，可按人分文件", "payslip strips, per-employee files"),
    "cli.payslips.out": ("输出文件夹（默认：工作簿所在文件夹）", "folder (default: the book's)"),
    "cli.payslips.per_employee": ("同时按人各写一个文件", "also one file per employee"),
    "cli.payslips.password_column": (
        "用花名册中这一列的值给每人的文件加密",
        "encrypt each employee's file with this roster column",
    ),
    "cli.payslips.passwords": (
        "给每人的文件加密；FILE 每行为 `工号,密码`（CSV），密码按原样使用，不去空格",
        "encrypt each employee's file; FILE holds id,password rows (CSV), taken exactly as written",
    ),
    "cli.close": ("封账：之后的改动会被 check 报告", "seal the month (check reports later edits)"),
    "cli.addin": ("生成或安装 Excel 加载项", "build or install the Excel add-in"),
    "cli.addin.build": ("生成 .xlam 加载项", "build the .xlam add-in"),
    "cli.addin.build.out": ("加载项的保存位置", "where to write the add-in"),
    "cli.addin.install": ("把加载项安装到 Excel", "install the add-in into Excel"),
    "cli.addin.install.addin": (
        "已生成的加载项（默认：生成到 ~/.xlkpi）",
        "an add-in built earlier (default: build one into ~/.xlkpi)",
    ),
    # --- the command line: argparse's own sentences ------------------------------------------
    "argparse.usage": ("用法：", "usage: "),
    "argparse.positionals": ("位置参数", "positional arguments"),
    "argparse.options": ("选项", "options"),
    "argparse.required": (
        "缺少必需的参数：{names}",
        "the following arguments are required: {names}",
    ),
    "argparse.unrecognized": ("无法识别的参数：{names}", "unrecognized arguments: {names}"),
    "argparse.one_required": (
        "必须给出以下之一：{names}",
        "one of the arguments {names} is required",
    ),
    "argparse.argument_not_allowed": (
        "{name} 不能与 {other} 同时使用",
        "argument {name}: not allowed with argument {other}",
    ),
    "argparse.argument_expected_one": (
        "{name} 需要一个值",
        "argument {name}: expected one argument",
    ),
    "argparse.argument_invalid_choice": (
        "{name} 的值 {value} 无效（可选：{choices}）",
        "argument {name}: invalid choice: {value} (choose from {choices})",
    ),
    "argparse.argument_invalid_value": (
        "{name} 的值 {value} 无效（应为 {type}）",
        "argument {name}: invalid {type} value: {value}",
    ),
    "argparse.error": ("{prog}：错误：{message}", "{prog}: error: {message}"),
    "cli.unknown_command": (
        "没有 {command} 这个命令。你是不是想用 `xlkpi {suggestion}`？",
        "there is no command {command}. Did you mean `xlkpi {suggestion}`?",
    ),
    "cli.unknown_command_plain": (
        "没有 {command} 这个命令；可用的命令：{commands}。",
        "there is no command {command}; the commands are: {commands}.",
    ),
    # --- the command line: outcomes -----------------------------------------------------------
    "cli.error": ("错误：", "error: "),
    "cli.warning": ("注意：", "warning: "),
    "cli.note": ("提示：", "note: "),
    "cli.fix_problems": (
        "请改正以上问题，然后重新运行该命令。",
        "Fix the problems above, then run the command again.",
    ),
    "cli.interrupted": ("已中断，工作簿没有改动。", "Interrupted; the workbook was not changed."),
    "cli.interrupted_after_swap": (
        "已中断，但新版本已经保存到 {path}（上一版本：{backup}）。",
        "Interrupted, but the new version is already in place: {path} (previous: {backup}).",
    ),
    "cli.internal_error": (
        "内部错误：{error}。设置环境变量 XLKPI_DEBUG=1 可看到详情，请把它报告给维护者。",
        "internal error: {error}. Set XLKPI_DEBUG=1 to see the details, and please report it.",
    ),
    "cli.out_of_memory": (
        "内存不足，命令已停止，工作簿没有改动。请关闭其他程序后重试，或把工作簿拆小。",
        "Out of memory; the command stopped and the workbook was not changed.",
    ),
    "cli.demo.title": ("演示门店 {month} 工资表", "Demo shop payroll {month}"),
    "cli.demo.written": (
        "演示工作簿已写出并重算：{path}",
        "Demo workbook written and recalculated: {path}",
    ),
    "cli.new_month.carried": (
        "已开始 {month}：{path}。从 {previous} 带来 {employees} 名员工，"
        "历史新增 {added} 行{skipped}。"
        "本月输入为空，请填写后运行 `xlkpi check`。",
        "Started {month} in {path}: {employees} staff carried forward from {previous}; "
        "{added} history rows added{skipped}. Monthly inputs are blank: fill them in, "
        "then run `xlkpi check`.",
    ),
    "cli.new_month.skipped": ("（{count} 行已存在，未重复添加）", ", {count} already there"),
    "cli.new_month.template_done": (
        "已从模板开始 {month}：{path}。",
        "Started {month} from the template in {path}.",
    ),
    "cli.check.head": (
        "{name}：月份 {month}，状态 {status}，员工 {employees} 人",
        "{name}: month {month}, status {status}, {employees} staff",
    ),
    "status.new": ("新建，未重算", "new, not recalculated"),
    "status.recalculated": ("已重算", "recalculated"),
    "status.sealed": ("已封账", "sealed"),
    "cli.check.ok": ("没有发现问题。", "No problems found."),
    "cli.check.ok_total": (
        "没有发现问题；工资总额 {total}。",
        "No problems found; payroll total {total}.",
    ),
    "cli.check.sealed_edited": ("已封账的月份被改动：", "sealed month edited: "),
    "cli.check.seal_ok": ("封账校验通过{keyed}。", "The seal holds{keyed}."),
    "cli.check.seal_keyed": ("（含密钥签名）", " (keyed signature included)"),
    "cli.recalc.done": (
        "已重算 {month}：{employees} 人，总额 {total}，预警 {alerts} 条，"
        "用时 {seconds} 秒。已保存 {path}",
        "Recalculated {month}: {employees} staff, total {total}, {alerts} alert(s), "
        "{seconds} s. Saved {path}",
    ),
    "cli.recalc.backup": ("（上一版本：{name}）", " (previous version: {name})"),
    "cli.payslips.done": (
        "{month} 工资条（{employees} 人）：{path}",
        "Payslips for {month} ({employees} staff): {path}",
    ),
    "cli.payslips.files": (
        "另按人写了 {count} 个文件（{how}），在 {folder}",
        "{count} per-employee files ({how}) in {folder}",
    ),
    "cli.payslips.encrypted": ("已加密，每人一个密码", "encrypted, one password each"),
    "cli.payslips.plain": ("未加密", "not encrypted"),
    "cli.close.done": (
        "已封账 {month}：{employees} 人，总额 {total}；封账码 {seal}…{keyed}。"
        "之后的改动由 `xlkpi check` 报告。",
        "Sealed {month}: {employees} staff, total {total}; seal {seal}…{keyed}. "
        "`xlkpi check` reports later edits.",
    ),
    "cli.close.keyed": ("（带密钥签名）", " (keyed)"),
    "cli.addin.built": ("加载项已生成：{path}", "Add-in built: {path}"),
    "cli.addin.installed": ("加载项已安装：{path}", "Add-in installed: {path}"),
    "cli.addin.no_excel": (
        "这里没有 Excel，加载项保存在 {path}",
        "Excel is not available here; the add-in is at {path}",
    ),
    "cli.excel_lock_warning": (
        "{name} 似乎正在 Excel 中打开（存在锁文件 {lock}）；读到的是最后一次保存的内容。",
        "{name} seems to be open in Excel (its lock file {lock} exists); "
        "this reads the last saved version.",
    ),
    # --- console tables ---------------------------------------------------------------------
    "console.payroll_title": ("{month} 工资表", "Payroll {month}"),
    "console.total_row": ("合计", "Total"),
    "console.people": ("{count}人", "{count} staff"),
    "console.alerts_title": ("预警：{count} 条", "Alerts: {count}"),
    "console.alerts_more": (
        "另有 {hidden} 条预警未显示（共 {count} 条）；全部见{where}。",
        "{hidden} more alert(s) not shown ({count} in all); see {where}.",
    ),
    "console.alerts_where_sheet": ("工作簿的“{sheet}”表", "the workbook's {sheet} sheet"),
    "console.alerts_where_flag": ("加上 `--all-alerts` 的输出", "the output with `--all-alerts`"),
    "console.problems_title": ("问题：{count} 个", "{count} problem(s)"),
    "console.cells": ("（{count} 个单元格）", " ({count} cells)"),
    "console.explain_title": ("计算过程", "How each pay was computed"),
    "progress.read": ("读取工作簿", "reading the workbook"),
    "progress.compute": ("计算", "computing"),
    "progress.payroll": ("生成工资表", "building the payroll"),
    "progress.write": ("写入", "writing"),
    "progress.payslips": ("生成工资条", "writing payslips"),
    "progress.build": ("生成工作簿", "building the workbook"),
    "progress.done": ("完成", "done"),
    # --- files -------------------------------------------------------------------------------
    "file.excel_open": (
        "{name} 正在 Excel（或其他表格软件）中打开：{folder} 中有它的锁文件 {lock}。"
        "请先在那里关闭工作簿再试；"
        "如果它并没有打开，这个锁文件是崩溃后留下的，请删除 {lock_path}。",
        "{name} is open in Excel (or another spreadsheet program): its lock file {lock} exists "
        "in {folder}. Close the workbook there and try again; if it is not open anywhere, the "
        "lock is left over from a crash: delete {lock_path}.",
    ),
    "file.held_by_program": (
        "无法替换 {path}：另一个程序正打开着它（{reason}）。请在那里关闭后再试。",
        "cannot replace {path}: another program has it open ({reason}). "
        "Close it there and try again.",
    ),
    "file.read_only": (
        "{path} 是只读文件，xlkpi 不会替换它（Excel 也不会）。请去掉只读属性，或另存一份再运行。",
        "{path} is read-only; xlkpi does not replace it (nor would Excel). Make it writable "
        "or save a copy, then run again.",
    ),
    "file.folder_missing": (
        "文件夹 {folder} 不存在；请检查路径，或先建好这个文件夹。",
        "the folder {folder} does not exist; check the path or create it first.",
    ),
    "file.folder_read_only": (
        "不能在文件夹 {folder} 中写文件（没有写权限）；工作簿没有改动。请换一个可写的文件夹。",
        "cannot write in the folder {folder} (no permission); nothing was changed. "
        "Use a folder you can write to.",
    ),
    "file.disk_full": (
        "磁盘空间不足，无法写出 {path}；没有任何改动。请腾出空间后重试。",
        "the disk is full: {path} could not be written; nothing was changed. "
        "Free some space and try again.",
    ),
    "file.write_failed": (
        "无法写出 {path}（{reason}）；没有任何改动。",
        "cannot write {path} ({reason}); nothing was changed.",
    ),
    "file.missing": (
        "{path} 不存在；请检查文件名。",
        "{path} does not exist; check the file name.",
    ),
    "file.is_folder": ("{path} 是文件夹，不是工作簿。", "{path} is a folder, not a workbook."),
    "file.password_protected": (
        "{name} 设置了打开密码；请另存一份不加密的副本再运行。",
        "{name} is password-protected; save an unprotected copy.",
    ),
    "file.sheet_unreadable": (
        "{name} 中的工作表“{sheet}”无法读取（{reason}）；文件可能已损坏。",
        "{name}: sheet {sheet} cannot be read ({reason}); the file may be corrupted.",
    ),
    "file.unreadable": ("无法读取 {path}（{reason}）。", "cannot read {path} ({reason})."),
    "file.not_a_folder": ("{path} 不是文件夹。", "{path} is not a folder."),
    # --- the process lock ----------------------------------------------------------------------
    "lock.held": (
        "另一个 xlkpi 正在处理 {name}（进程 {pid}，计算机 {host}，开始于 {since}）。"
        "请等它结束后再运行；如果确定没有在运行，请删除锁文件 {lock}。",
        "another xlkpi is working on {name} (process {pid} on {host}, since {since}). Wait "
        "for it to finish; if you are sure none is running, delete the lock file {lock}.",
    ),
    # --- workbook size limits ------------------------------------------------------------------
    "limits.xls": (
        "{name} 是旧版 .xls 文件；请在 Excel 中“另存为” .xlsx 后再运行。",
        "{name} is an old .xls file; open it in Excel and save it as .xlsx, then run again.",
    ),
    "limits.file_too_big": (
        "{name} 有 {size} MB，超过上限 {limit} MB；这不像一个月的工资工作簿。",
        "{name} is {size} MB, over the limit of {limit} MB; that is not a month workbook.",
    ),
    "limits.part_too_big": (
        "{name} 中的 {part} 解压后有 {size} MB，超过单个部件的上限 {limit} MB；工作簿可能已损坏。",
        "{part} in {name} inflates to {size} MB, over the per-part limit of {limit} MB; the "
        "workbook may be corrupted.",
    ),
    "limits.total_too_big": (
        "{name} 解压后共有 {size} MB，超过上限 {limit} MB；工作簿可能已损坏。",
        "{name} inflates to {size} MB in all, over the limit of {limit} MB; it may be corrupted.",
    ),
    "limits.ratio": (
        "{name} 中的 {part} 压缩比为 {ratio}:1，超过上限 {limit}:1，像是“压缩炸弹”；已拒绝读取。",
        "{part} in {name} has a compression ratio of {ratio}:1, over {limit}:1 (a zip bomb?); "
        "refused.",
    ),
    "limits.grid": (
        "工作表“{sheet}”用到了 {extent}（{cells} 个单元格），超过上限 {limit} 个；"
        "通常是远处某个单元格里有内容或格式。请删除表格之外多余的行和列后保存。",
        "sheet {sheet} spans {extent} ({cells} cells), over the limit of {limit}; usually a "
        "stray value or format far away. Delete the rows and columns beyond the table and save.",
    ),
    "limits.corrupt": (
        "{name} 不是可读的 Excel 工作簿（{reason}）；可能已损坏，请在 Excel 中打开并另存为 .xlsx。",
        "{name} is not a readable Excel workbook ({reason}); open it in Excel and save as .xlsx.",
    ),
    # --- the seal -----------------------------------------------------------------------------
    "seal.cell_changed": (
        "{sheet}!{cell} 封账时是 {old}，现在是 {new}",
        "{sheet}!{cell} was {old} when sealed, now {new}",
    ),
    "seal.more_cells": ("另有 {count} 个单元格被改动", "{count} more cell(s) changed"),
    "seal.sheet_changed": (
        "“{sheet}”表的输入在封账后被改动",
        "input cells on {sheet} changed after the month was sealed",
    ),
    "seal.policy_changed": ("参数在封账后被改动", "the policy changed after the month was sealed"),
    "seal.sheet_removed": (
        "“{sheet}”表在封账后被删除",
        "the sheet {sheet} was removed after the month was sealed",
    ),
    "seal.results_changed": (
        "“{payroll}”或“{alerts}”表的数值在封账后被改动",
        "the {payroll} / {alerts} values changed after sealing",
    ),
    "seal.altered": (
        "封账信息本身被改动（隐藏的 meta 表被编辑过）",
        "the seal itself was altered (meta sheet edited)",
    ),
    "seal.status_changed": (
        "状态被改成了 {status}，但封账信息还在：这仍是已封账的月份",
        "the status reads {status} but the seal is present: this is still a sealed month",
    ),
    "seal.key_mismatch": (
        "密钥签名不符：月份被改动后重新封过账，或用了别的密钥",
        "the keyed signature does not match: re-sealed after an edit, or another key",
    ),
    "seal.key_missing": (
        "这个月是用密钥封账的；用 `xlkpi check --key 密钥文件` 才能验证签名",
        "this month was sealed with a key; verify it with `xlkpi check --key FILE`",
    ),
    "seal.not_keyed": (
        "这个月封账时没有用密钥，无法用 --key 验证",
        "this month was sealed without a key; --key cannot verify it",
    ),
    "seal.remedy": (
        "如果改动是有意的：运行 `xlkpi recalc --reopen` 后重新 `xlkpi close`；"
        "否则撤销这些改动（或用 .bak 备份）。",
        "If the edit was meant: run `xlkpi recalc --reopen`, then `xlkpi close` again; "
        "otherwise undo it (or restore the .bak copy).",
    ),
    "seal.already": (
        "{name}（{month}）已经封账；用 `xlkpi check` 校验。",
        "{name} ({month}) is already sealed; `xlkpi check` verifies it",
    ),
    "seal.key_unreadable": (
        "无法读取密钥文件 {path}（{reason}）。",
        "cannot read the key file {path} ({reason}).",
    ),
    "seal.key_short": (
        "密钥文件 {path} 太短（{size} 字节）；至少需要 16 字节的随机内容。",
        "the key file {path} is too short ({size} bytes); use at least 16 random bytes.",
    ),
    "seal.blank": ("空白", "blank"),
    # --- payslips -----------------------------------------------------------------------------
    "payslips.passwords_unreadable": (
        "无法读取密码文件 {path}（{reason}）。",
        "cannot read the passwords file {path} ({reason}).",
    ),
    "payslips.passwords_duplicate": (
        "密码文件 {path} 中工号 {id} 出现了不止一次（第 {first} 行和第 {second} 行）；"
        "每个工号只能有一个密码。",
        "the passwords file {path} lists id {id} more than once (lines {first} and {second}); "
        "give each id one password.",
    ),
    "payslips.password_missing": (
        "有 {count} 名员工没有密码：{ids}；每个工资条文件都要加密，请给每个人一个密码。",
        "no password for {count} employee(s): {ids}; every payslip file must be encrypted, "
        "so give each employee a password.",
    ),
    "payslips.no_column": (
        "“{sheet}”表没有名为 {header} 的列，无法取密码。",
        "{sheet} has no column headed {header} for the passwords.",
    ),
    "payslips.name_clash": (
        '工号 {first} 和 {second} 得到同一个文件名 {file}（文件名不能含 \\ / : * ? " < > |）；'
        "请改正工号后再运行，没有写出任何文件。",
        "ids {first} and {second} give the same file name {file} (a file name cannot hold "
        '\\ / : * ? " < > |); correct the ids and run again; nothing was written.',
    ),
    "payslips.title": ("{company} {month} 工资条", "{company} payslips {month}"),
    "payslips.footer": ("第 &P 页，共 &N 页", "Page &P of &N"),
    # --- the engine's alerts (rules.md A11, §B) ---------------------------------------------
    "alert.warning_run": ("{label}（连续{run}个月）。", "{label} ({run} months in a row)."),
    "alert.complaints": (
        "本月客诉{count}次，达到{limit}次：劝退。",
        "{count} service complaints this month, {limit} or more: dismissal.",
    ),
    "alert.rank_due": (
        "可晋升为{rank}{example}：服务{months}个月，本月{score}分，任职期间无不良记录{approval}。",
        "due for promotion to {rank}{example}: {months} months of service, {score} points "
        "this month, no bad record{approval}.",
    ),
    "alert.rank_example": ("（示例标准）", " (example standard)"),
    "alert.rank_approval": ("，需主管批准", "; needs the leader's approval"),
    "alert.streak_reward": (
        "连续{months}个月考核优秀，一次性奖励{amount}元。",
        "{months} months in a row rated excellent: a one-off reward of {amount} yuan.",
    ),
    "alert.task_zero": (
        "任务完成系数填写为0，本月店长底薪为0：请确认是否属实。",
        "the task coefficient was entered as 0, so this month's store-manager pay is 0; "
        "please confirm.",
    ),
    "alert.cs2017_not_appraised": (
        "考核期缺勤{months}个月（超过{limit}个月），本期不参加考核：不计个人提成和考核等级。",
        "absent {months} months of the appraisal period (more than {limit}): not appraised, "
        "no personal commission and no grade.",
    ),
    "alert.logistics_new": (
        "在本岗位工作未满一个月，不具有考核资格：业绩和行为系数按1计发。",
        "less than one full month in the post: not appraised; results and behaviour are paid at 1.",
    ),
    # --- engine, rules, money and UDF errors (a UDF cell or the command line shows them) -------
    "value.blank": ("{what}为空：需要填写一个数字。", "{what} is blank; a number is required"),
    "value.not_number": (
        "{what}为{value}，不是数字：请填写数字。",
        "{what} is {value}, not a number; enter a number",
    ),
    "value.not_finite": (
        "{what}为{value}，不是有限的数字：请填写数字。",
        "{what} is {value}, not a finite number; enter a number",
    ),
    "value.not_digits": (
        "{what}为{value}，不是数字：请填写数字，例如 25000 或 85%。",
        "{what} is {value}, which is not a number; enter digits such as 25000 or 85%",
    ),
    "value.negative": (
        "{what}为{value}：不能为负数（请填写0或以上）。",
        "{what} is {value}; it cannot be negative (enter 0 or more)",
    ),
    "value.count_negative": (
        "{what}为{value}：次数不能为负数（请填写0或以上）。",
        "{what} is {value}; a count cannot be negative (enter 0 or more)",
    ),
    "value.count_whole": (
        "{what}为{value}：次数必须是整数。",
        "{what} is {value}; a count must be a whole number",
    ),
    "value.score_range": (
        "{what}为{value}：分数必须在0到{top}之间（参数 {where}）。",
        "{what} is {value}; a score must lie between 0 and {top} (policy {where})",
    ),
    "value.not_date": (
        "{what}为{value}，不是日期：请填写日期，例如 2024-03-01。",
        "{what} is {value}, not a date; enter a date such as 2024-03-01",
    ),
    "value.not_month": (
        "月份为{value}：请按 YYYY-MM 填写，例如 2026-10。",
        "month is {value}; write it as YYYY-MM, e.g. 2026-10",
    ),
    "rules.no_schedule": (
        "没有名为{name}的提成表：请使用{known}之一。",
        "no commission schedule named {name}; use one of {known}",
    ),
    "rules.no_public_staff": (
        "客服人数为0：公共提成至少需要1人分配。",
        "number of customer-service staff is 0; the pool needs at least 1",
    ),
    "rules.members": (
        "人数为{members}：分配至少需要1人。",
        "members is {members}; a pool needs at least 1 member",
    ),
    "rules.choice": (
        "{what}为{value}：请选择{known}之一。",
        "{what} is {value}; use one of {known}",
    ),
    "engine.no_inputs": (
        "员工 {id}（{name}）没有{month}的本月数据：请在考勤表和业绩表为其填写一行。",
        "employee {id} ({name}) has no inputs for {month}",
    ),
    "engine.employee": ("员工 {id}（{name}）：{message}", "employee {id} ({name}): {message}"),
    "engine.unknown_plan": (
        "岗位/薪资方案为{plan}：请使用{known}之一。",
        "pay plan is {plan}; use one of {known}",
    ),
    "payplans.score_blank": (
        "绩效分数为空：请填写本月考核分数（考核表合计）。",
        "score is blank; enter the month's appraisal score (the scorecard total)",
    ),
    "payplans.task_blank": (
        "任务完成系数和个人目标都为空：请填写其中一项。",
        "task coefficient and personal target are both blank; enter one of them",
    ),
    "udf.table_columns": (
        "PAY_TABLE：工资表没有“{first}”到“{last}”这一列块（或它包含连续优秀奖/合计，这两列由重算写入）。"
        "请填写工资表的列代码，例如 base 到 net。",
        "PAY_TABLE: no Payroll block {first}..{last} (or it spans the streak reward or the total, "
        "which recalc writes); give Payroll column codes, e.g. base to net",
    ),
    "tax.bonus_cliff": (
        "年终奖{bonus}元刚超过{top}元的税率临界点：单独计税个税{separate}元，发{top}元只需"
        "{top_tax}元。建议降低{lower}元至{top}元，员工税后反而多得{loss}元；"
        "并入综合所得计税为{merged}元。",
        "the year-end bonus of {bonus} is just above the {top} band edge: taxed separately it "
        "pays {separate}, while {top} would pay only {top_tax}. Lower it by {lower} to {top} "
        "and the employee keeps {loss} more after tax; merged into the month's income the tax "
        "is {merged}.",
    ),
    "tax.separate_ended": (
        "年终奖单独计税政策截至{until}，本月已不能单独计税：年终奖并入本月综合所得预扣个税。"
        "请把「{sheet}」表的{column}改为{merged}或留空。",
        "taxing the year-end bonus separately ended in {until}: this month the bonus is merged "
        "into the month's income. Set {column} on {sheet} to {merged} or leave it blank.",
    ),
    "udf.trial": ("试用期为{value}：请填写{yes}或{no}。", "trial is {value}; enter {yes} or {no}"),
    "udf.overtime_hours": (
        "每天加班小时数必须大于0（参数 `allowances.overtime_hours_per_day`）。",
        "overtime hours per day must be more than 0",
    ),
    "udf.no_seniority": (
        "方案{plan}没有工龄工资：请改为填写每年的金额。",
        "plan {plan} has no seniority pay; give a rate per year instead",
    ),
    "udf.streak_months": (
        "连续优秀的月数必须是1或以上（参数 `streak_reward.months`）。",
        "streak_reward.months must be 1 or more",
    ),
    "udf.same_height": (
        "这几个区域的行数必须相同：请选择同样高度的区域。",
        "the ranges must have the same height",
    ),
    "udf.grades": (
        "考核等级需要三行：及格、良好、优秀。",
        "grades: give three lines (pass, good, excellent)",
    ),
    "udf.items": (
        "有{cells}个考核项单元格，但有{maxima}个满分值：请选中整行。",
        "{cells} item cells but {maxima} item maxima; pass the whole row",
    ),
    "udf.weights": (
        "两个权重相加为{total}：必须相加为100%。",
        "the two weights add up to {total}; they must add up to 100%",
    ),
    "udf.tax_months": (
        "月数为{months}：请填写本年在职月数，1到12。",
        "months is {months}; enter the months employed, 1 to 12",
    ),
    "udf.contribution_kind": (
        "险种为{kind}：请使用{known}之一。",
        "kind is {kind}; use one of {known}",
    ),
    "udf.team_target": (
        "团队目标为空：请填写团队的销售目标（团队目标表）。",
        "team target is blank; enter the team's sales target",
    ),
    "udf.member_error": (
        "某个成员的净销售额是错误值{error}：请先改正该单元格。",
        "a member's net sales is the error {error}",
    ),
    "udf.level": ("级别为{level}：请使用{known}之一。", "level is {level}; use one of {known}"),
    "udf.level_share": (
        "级别{level}在参数 `team.level_share` 中没有系数。",
        "level {level} has no share in team.level_share",
    ),
    "udf.key_value": ("{what}：每一行都要有键和值。", "{what}: each row needs a key and a value"),
    "udf.sign": ("符号为{value}：请使用1或-1。", "sign is {value}; use 1 or -1"),
    "udf.position": (
        "位置为{value}：必须在1到{count}之间。",
        "position is {value}; it must lie between 1 and {count}",
    ),
    # --- the workbook builds (xlkpi/builds.py) ------------------------------------------------
    "build.native_readme": (
        "本工作簿公式版本：原生公式（无需加载项）。工资表的每一项都是普通公式，引用「参数」表的数值，"
        "在 `WPS`、`LibreOffice`、`Numbers` 和 Excel 中修改输入即自动重算；"
        "读取历史表的连续优秀奖和扣除一侧（社保公积金、个税、实发）除外：修改后请运行 "
        "`xlkpi recalc` 本文件。",
        "Formula version of this workbook: native formulas (no add-in needed). Every Payroll "
        "line is a plain formula over the Policy sheet and recalculates in WPS, "
        "LibreOffice, Numbers and Excel; except what reads the History, the streak reward and "
        "the deductions side (contributions, income tax, net pay): run xlkpi recalc on the "
        "file after editing.",
    ),
    "build.no_downgrade": (
        "{name} 是原生公式版本的工作簿，不能转换为加载项版本（`--formulas addin`）。"
        "请去掉 --formulas 参数（新月份沿用原生公式），"
        "或用 `xlkpi new-month --template` 新建加载项版本。",
        "{name} is a native-formula workbook; it cannot be turned into the add-in build "
        "(--formulas addin). Leave out --formulas (the new month keeps native formulas), or start "
        "an add-in book with xlkpi new-month --template.",
    ),
    "cli.formulas": (
        "工资表公式版本：`addin`（调用 xlkpi 加载项函数）或 `native`（原生公式，无需加载项，"
        "适用于 `WPS`、`LibreOffice`、`Numbers`）；不写则新月份沿用上月的版本",
        "the Payroll's formulas: addin (the xlkpi add-in's functions) or native (plain "
        "formulas, no add-in: WPS, LibreOffice, Numbers); default: the previous month's",
    ),
    # --- the 说明 sheet (workbook_templates.readme_sheet) ----------------------------------------
    "readme.title": ("xlkpi 绩效薪酬工作簿：使用说明", "xlkpi KPI and pay workbook: how to use it"),
    "readme.month": ("月份", "Month"),
    "readme.month_unset": ("（未设置）", "(not set)"),
    "readme.status": ("状态", "Status"),
    "readme.build": ("本工作簿公式版本", "Formulas of this workbook"),
    "readme.build.addin": (
        "加载项（xlwings UDF）：工资表的公式调用 xlkpi 加载项的函数",
        "add-in (xlwings UDF): the payroll formulas call the xlkpi add-in's functions",
    ),
    "readme.build.native": (
        "原生公式（无需加载项）",
        "native formulas (no add-in needed)",
    ),
    "readme.steps": ("每月步骤", "The monthly steps"),
    "readme.col.step": ("步骤", "Step"),
    "readme.col.what": ("做什么", "What to do"),
    "readme.col.command": ("命令行", "Command line"),
    "readme.col.button": ("功能区按钮", "Ribbon button"),
    "readme.book": ("本月.xlsx", "MONTH.xlsx"),
    "readme.next_book": ("下月.xlsx", "NEXT.xlsx"),
    "readme.step.fill": ("填写", "Fill in"),
    "readme.step.fill.what": (
        "在「{roster}」和本月的输入表中填写数据。只需填写员工的薪资方案读取的单元格"
        "（见下面“各方案读取的输入”）；灰色标“不适用”的单元格不用填；“如有”的项目留空表示没有。",
        "Type the month's data on {roster} and the input sheets. Only the cells the "
        "employee's pay plan reads are needed (see “What each plan reads” below); grey cells "
        "marked as not applicable are not read; “if any” items left blank mean none.",
    ),
    "readme.step.check": ("检查", "Check"),
    "readme.step.check.what": (
        "一次列出全部问题：工作表、单元格、填写的值和改法。改正后再检查，直到没有问题。",
        "Lists every problem at once: sheet, cell, value and remedy. Fix them and check again "
        "until none is left.",
    ),
    "readme.step.recalc": ("重算", "Recalculate"),
    "readme.step.recalc.what": (
        "计算本月工资，写入「{payroll}」「{alerts}」「{tax}」；输入单元格不会被改动，"
        "上一版本另存为 .bak.xlsx 备份。",
        "Computes the month's pay into {payroll}, {alerts} and {tax}; input cells are "
        "never changed, and the previous version is kept as a .bak.xlsx copy.",
    ),
    "readme.step.payslips": ("工资条", "Payslips"),
    "readme.step.payslips.what": (
        "生成可打印的工资条；可按人各写一个文件，并用密码加密。",
        "Writes printable payslip strips, and on request one file per employee, encrypted "
        "with a password.",
    ),
    "readme.step.close": ("封账", "Close"),
    "readme.step.close.what": (
        "封存本月；封账后再改动，检查会报告改了哪些单元格。",
        "Seals the month; an edit made afterwards is reported by the check, cell by cell.",
    ),
    "readme.step.new_month": ("新月份", "New month"),
    "readme.step.new_month.what": (
        "从本月工作簿开始下个月：花名册、参数和历史带到新月份，本月输入清空。",
        "Starts the next month from this one: roster, policy and history are carried "
        "forward, the monthly inputs are cleared.",
    ),
    "readme.scorecards": ("考核表为哪些薪资方案评分", "Which pay plans each scorecard scores"),
    "readme.col.sheet": ("工作表", "Sheet"),
    "readme.col.scores": ("评分的薪资方案", "Pay plans scored"),
    "readme.col.note": ("说明", "Note"),
    "readme.reference": (
        "参考表：不为任何薪资方案评分",
        "reference table: it scores no pay plan",
    ),
    "readme.scorecard_total": ("满分 {total} 分", "out of {total} points"),
    "readme.supervisor_self": (
        "没有考核表的方案：主管抽查得分与月底自评得分加权",
        "plans without a scorecard: the supervisor's and the self score, weighted",
    ),
    "readme.plans": ("各方案读取的输入", "What each plan reads"),
    "readme.col.plan": ("薪资方案", "Pay plan"),
    "readme.col.inputs": ("读取的输入表", "Input sheets read"),
    "readme.col.score": ("评分来自", "Score from"),
    "readme.no_score": ("不评分", "not scored"),
    "readme.notes": ("填写提示", "Notes on filling in"),
    # --- the input cells' data validation (workbook_templates.validation) -----------------------
    "validation.title": ("输入错误", "Invalid entry"),
    "validation.choose": ("请从下拉列表中选择：{choices}", "Choose from the list: {choices}"),
    "validation.date": ("请输入日期，例如 2024-03-01", "Enter a date, e.g. 2024-03-01"),
    "validation.at_least": ("请输入{low}或以上的数", "Enter a number of {low} or more"),
    "validation.between": ("请输入{low}到{high}之间的数", "Enter a number from {low} to {high}"),
    "validation.between_whole": (
        "请输入{low}到{high}之间的整数",
        "Enter a whole number from {low} to {high}",
    ),
    "validation.no_percent": ("（不要输入百分比）", " (not a percentage)"),
    "validation.not_applicable": (
        "；本行岗位方案不读取的单元格填「{marker}」",
        "; where the row's plan does not read the cell, enter {marker}",
    ),
    # --- the month cycle (new-month, close; payslips and the ribbon share require_current) ---
    "cycle.no_month": ("未设置月份", "no month"),
    "cycle.never_recalculated": (
        "{name}（{month}）还没有重算过，工资表不是最终结果：请先运行 `xlkpi recalc {path}`{then}。",
        "{name} ({month}) was never recalculated, so its Payroll is not final; run "
        "`xlkpi recalc {path}` first{then}",
    ),
    "cycle.stale": (
        "{name} 的输入在上次重算后被改动，工资表已过时：请先运行 `xlkpi recalc {path}`{then}。",
        "the inputs of {name} changed after its last recalc, so its Payroll is out of date; "
        "run `xlkpi recalc {path}` first{then}",
    ),
    "cycle.then_force": (
        "（或加上 --force 按现状带到新月份）",
        " (or pass --force to carry it forward as it is)",
    ),
    "cycle.then_close": ("，然后再封账", " before closing the month"),
    "cycle.then_payslips": ("，使工资条与工资表一致", " so the payslips match the Payroll"),
    "cycle.then_close_ribbon": (
        "（或按“重算薪资”），然后再封账",
        " (or press the recalculate button) before closing the month",
    ),
    "cycle.bad_month": (
        "月份 {month} 不是有效的月份：请按 YYYY-MM 填写，例如 2026-11。",
        "month {month} is not a month; write it as YYYY-MM, e.g. 2026-11",
    ),
    "cycle.sheet_missing": (
        "缺少「{sheet}」表：请从模板复制回来。",
        "the {sheet} sheet is missing; restore it from the template",
    ),
    "cycle.policy_layout": (
        "{month} 到期的按月生效变更会改变「{sheet}」表的结构：请用 `xlkpi new-month --template` "
        "开始 {month}，再把花名册复制过去。",
        "a dated policy change due by {month} changes the layout of the {sheet} sheet; start "
        "{month} from the template (`xlkpi new-month --template`) and copy the roster",
    ),
    "cycle.out_exists": (
        "{path} 已存在：请换一个文件名，或加上 --force 覆盖。",
        "{path} already exists; choose another name or pass --force",
    ),
    "cycle.out_is_source": (
        "--out 必须是一个新文件，不能是上月工作簿本身。",
        "--out must be a new file, not last month's workbook itself",
    ),
    "cycle.forced": (
        "{name} 没有重算过；因为加了 --force，仍按现状带到新月份。",
        "{name} was never recalculated; carried forward because of --force",
    ),
    "cycle.month_order": (
        "{name} 是 {previous} 的工作簿：新月份必须在它之后，不能是 {month}。",
        "{name} is the month {previous}; the new month must come after it, not {month}",
    ),
    "cycle.changes_due": (
        "按月生效的参数变更已在 {month} 生效，「{sheet}」表显示的是新值。",
        "dated policy changes took effect in {month}; the {sheet} sheet shows them",
    ),
    "cycle.payroll_headers": (
        "「{sheet}」表缺少 {id} / {total} 列标题：请从模板复制回来。",
        "the {sheet} sheet has lost its {id} / {total} headers",
    ),
    "cycle.payroll_mismatch": (
        "{sheet}!{cell} 显示 {found}（工号 {id}），但计算结果是 {total}："
        "请先运行 `xlkpi recalc {path}` 再封账。",
        "{sheet}!{cell} shows {found} for {id}, but the engine gives {total}; run "
        "`xlkpi recalc {path}` before closing",
    ),
    # --- recalc (xlkpi.recalc) -----------------------------------------------------------------
    "recalc.correct_employee": (
        "请改正该员工的输入或参数",
        "correct this employee's inputs or the policy",
    ),
    "recalc.sheet_missing": ("缺少「{sheet}」表", "the sheet {sheet} is missing"),
    "recalc.restore_sheet": ("请从模板把这张表复制回来", "restore it from the template"),
    "recalc.header_missing": (
        "列标题“{header}”缺失或被改名",
        "column header {header} is missing or renamed",
    ),
    "recalc.restore_header": (
        "请在第1行把列标题“{header}”改回来",
        "put the header {header} back in row 1",
    ),
    "recalc.no_meta": (
        "{name} 没有隐藏的 {meta} 表：请从模板开始这个月份。",
        "{name} has no {meta} sheet; start it from the template",
    ),
    "recalc.sealed": (
        "{name} 是已封账的月份 {month}：重算会改变已封存的工资表。"
        "如果确实要重新打开，请运行 `xlkpi recalc --reopen`。",
        "{name} is the sealed month {month}; recalculating would change a closed payroll. "
        "Run `xlkpi recalc --reopen` if you really mean to reopen it.",
    ),
    # --- the fast writer (xlkpi.workbook.xlsx_patch) ------------------------------------------
    "patch.shared_master": (
        "单元格 {cell} 是共享公式（{range}）的主单元格，替换它会破坏该区域的其他单元格："
        "请写入整个区域的公式，或修改模板。",
        "cell {cell} holds the master of a shared formula ({range}); replacing it would break "
        "the other cells of that range. Write the formulas of the whole range instead, or edit "
        "the template.",
    ),
    "patch.array_cut": (
        "{range} 的数组公式跨过第 {row} 行，而工作表要从这一行起清空：请移动数组公式。",
        "an array formula over {range} crosses row {row}, where the sheet is cut; move the "
        "array formula",
    ),
    "patch.not_package": (
        "不是有效的 .xlsx 文件（{reason}）；请在 Excel 中打开并另存为 .xlsx。",
        "not a valid xlsx package: {reason}",
    ),
    "patch.not_xlsx": (
        "{path} 不是 .xlsx / .xlsm 工作簿（{reason}）；请在 Excel 中另存为 .xlsx。",
        "{path} is not an .xlsx/.xlsm workbook: {reason}",
    ),
    "patch.no_sheet": (
        "{name} 中没有名为“{sheet}”的工作表（现有：{known}）；请从模板复制回来。",
        "{name} has no worksheet named {sheet}; it has: {known}",
    ),
    "patch.bad_part": (
        "工作表部件缺少 {what}，文件可能已损坏；请在 Excel 中打开并另存为 .xlsx。",
        "a worksheet part without {what}; the file may be corrupted",
    ),
    "patch.zip64": (
        "工作簿太大（超过 4 GB 或 65535 个部件），无法写入；请把工作簿拆小。",
        "workbook too large for this writer (zip64 not supported)",
    ),
    "patch.bad_member": (
        "工作簿中的部件 {part} 已损坏或不完整；请在 Excel 中打开并另存为 .xlsx。",
        "corrupt or truncated zip member {part}",
    ),
    "patch.not_finite": (
        "无法把 {value} 写入单元格：只能写入有限的数字。",
        "cannot store {value} in a cell; only finite numbers",
    ),
    "patch.no_styles": (
        "工作簿缺少样式部件，无法设置数字格式；请在 Excel 中打开并另存一次。",
        "the workbook has no styles part; it cannot take number formats",
    ),
    "access.array_too_long": (
        "数组公式有 {length} 个字符，无法通过 Excel 输入；请在命令行运行 xlkpi recalc 本文件。",
        "the array formula of {length} characters cannot be entered in Excel; run xlkpi recalc "
        "on this file",
    ),
    # --- check (xlkpi.check) -------------------------------------------------------------------
    "check.stale": (
        "上次重算后输入被改动，工资表已过时：请运行 `xlkpi recalc`。",
        "inputs changed since the last recalc: the Payroll is out of date; run `xlkpi recalc`",
    ),
    "check.not_recalculated": (
        "本月还没有重算：请运行 `xlkpi recalc`。",
        "the month has not been recalculated yet; run `xlkpi recalc`",
    ),
    # --- a month's inputs as the engine takes them (xlkpi.inputs) ----------------------------
    "inputs.not_whole": (
        "员工 {id}：{label}为{value}，应为整数。",
        "employee {id}: {label} is {value}; expected a whole number",
    ),
    "inputs.not_decimal": (
        "员工 {id}：{label}为{value}，应为 Decimal 数值。",
        "employee {id}: {label} is {value}; expected a Decimal",
    ),
    "inputs.not_finite": (
        "员工 {id}：{label}为{value}：请填写有限的数字。",
        "employee {id}: {label} is {value}; enter a finite number",
    ),
    "inputs.negative": (
        "员工 {id}：{label}为{value}：不能为负数（请填写0或以上）。",
        "employee {id}: {label} is {value}; it cannot be negative (enter 0 or more)",
    ),
    "inputs.implausible": (
        "员工 {id}：{label}为{value}：不像一个月的数字（应小于10¹⁵）。",
        "employee {id}: {label} is {value}; that is not a plausible monthly figure (below 10¹⁵)",
    ),
    # --- the ribbon's messages (xlkpi.addin.macros) -------------------------------------------
    "macros.failed": (
        "xlkpi 未能完成“{action}”：{error}\n详情在 {log}；报告问题时请附上这个文件。",
        "xlkpi could not finish '{action}': {error}\nThe details are in {log}; please send "
        "that file with your report.",
    ),
    "macros.problems": (
        "有 {count} 个问题需要改正，全部列在“{sheet}”表：\n{lines}",
        "{count} problem(s) to fix — all listed on the sheet {sheet}:\n{lines}",
    ),
    "macros.problem_line": (
        "{sheet}!{cell}：{message} → 改法：{remedy}",
        "{sheet}!{cell}: {message} → {remedy}",
    ),
    "macros.problems_more": ("……另有 {more} 个", "… and {more} more"),
    "macros.no_problems_row": ("没有问题", "no problems"),
    "macros.seal_remedy": (
        "撤销这处改动：已封账的月份必须保持原样",
        "undo the change: a sealed month must stay as it was",
    ),
    "macros.check_ok": (
        "{month}：{employees} 名员工的输入没有发现问题。{notes}",
        "{month}: no problems found in {employees} employees' inputs.{notes}",
    ),
    "macros.sealed_recalc": (
        "{month} 已封账：重算会改变已封存的工资表。如需重新打开，请对保存的工作簿运行 "
        "`xlkpi recalc --reopen`。",
        "{month} is sealed: recalculating would change a closed payroll. To reopen it, run "
        "`xlkpi recalc --reopen` on the saved workbook.",
    ),
    "macros.recalc_done": (
        "{month}：已重算 {employees} 名员工，工资总额 ¥{total}，“{sheet}”表有 {alerts} 条预警。",
        "{month}: {employees} employees recalculated, payroll total ¥{total}, {alerts} "
        "alert(s) on {sheet}.",
    ),
    "macros.select_hint": (
        "请在员工所在的行中选一个单元格（在“{roster}”“{payroll}”“{attendance}”等表上）后再试",
        "select a cell in the employee's row (on {roster}, {payroll}, {attendance} …) and "
        "try again",
    ),
    "macros.nothing_selected": ("没有选中任何单元格：{hint}。", "nothing is selected; {hint}"),
    "macros.not_employee_row": (
        "“{sheet}”表第 {row} 行不是员工行：{hint}。",
        "{sheet} row {row} is not an employee's row; {hint}",
    ),
    "macros.row_no_id": (
        "“{sheet}”表第 {row} 行没有工号：{hint}。",
        "{sheet} row {row} has no employee id; {hint}",
    ),
    "macros.not_on_roster": (
        "{id} 不是“{roster}”表上的员工：请在员工所在的行中选一个单元格后再试。",
        "{id} is not an employee on {roster}; select a cell in the employee's row and try again",
    ),
    "macros.save_first": (
        "请先保存工作簿（文件 → 另存为），然后再试。",
        "save the workbook first (File → Save As), then try again",
    ),
    "macros.payslips_done": (
        "{month}：{employees} 名员工的工资条已写到 {path}",
        "{month}: payslips for {employees} employees written to {path}",
    ),
    "macros.no_month": (
        "这个工作簿没有设置月份（隐藏表 {meta}）：请用 `xlkpi new-month` 或从模板开始月份。",
        "this workbook's month is not set (hidden sheet {meta}); start months with "
        "`xlkpi new-month` or from the template",
    ),
    "macros.new_month_done": (
        "已保存 {name}，并在 {path} 开始 {month}"
        "（{employees} 名员工；“{history}”表新增 {added} 行）。{warnings}",
        "Saved {name} and started {month} in {path} ({employees} employees; {added} rows "
        "added to {history}).{warnings}",
    ),
    "macros.already_sealed": ("{month} 已经封账。", "{month} is already sealed"),
    "macros.closed": (
        "{month} 已封账并保存（{name}）：{employees} 名员工，工资总额 ¥{total}。"
        "之后的改动由 `xlkpi check` 报告。",
        "{month} sealed and saved ({name}): {employees} employees, payroll total ¥{total}. "
        "`xlkpi check` reports any later change.",
    ),
    "macros.status.checking": ("xlkpi：校验中…", "xlkpi: checking…"),
    "macros.status.reading": ("xlkpi：读取中…", "xlkpi: reading…"),
    "macros.status.computing": ("xlkpi：计算中…", "xlkpi: computing…"),
    "macros.status.writing": ("xlkpi：写入中…", "xlkpi: writing…"),
    "macros.status.payslips": ("xlkpi：生成工资条…", "xlkpi: writing payslips…"),
    "macros.status.new_month": (
        "xlkpi：保存并新建 {month}…",
        "xlkpi: saving, creating {month}…",
    ),
    "macros.status.sealing": ("xlkpi：封账中…", "xlkpi: sealing…"),
    # --- policy validation (xlkpi.policy_errors: the policy's validators and pydantic's) ------
    "policy.issue": ("{source}中 {path}：{message}", "{source}: {path}: {message}"),
    "policy.top_level": ("（整个参数）", "(top level)"),
    "policy.source": ("参数", "policy"),
    "policy.in_force": ("{month} 起生效的参数", "policy in force in {month}"),
    "policy.negative": (
        "{value} 是负数：请填写 0 或更大的数",
        "{value} is negative; enter 0 or more",
    ),
    "policy.not_rate": (
        "{value} 不是 0 到 1 之间的比例（0%–100%）",
        "{value} is not a rate between 0 and 1 (0%–100%)",
    ),
    "policy.unknown_plan": (
        "没有“{plan}”这个岗位方案：请用 {choices} 之一",
        "unknown plan '{plan}'; use one of {choices}",
    ),
    "policy.unknown_plan_key": (
        "不是已知的岗位方案：请用 {choices} 之一",
        "names an unknown plan; use one of {choices}",
    ),
    "policy.holds_unknown_plan": (
        "含有未知的岗位方案“{plan}”：请用 {choices} 之一",
        "holds unknown plan '{plan}'; use one of {choices}",
    ),
    "policy.above_maximum": (
        "为 {value}，高于评分上限 {maximum}：请先提高评分上限（maximum）",
        "is {value}, above maximum {maximum}; raise maximum first",
    ),
    "policy.weights_pair": (
        "{first} + {second} = {total}：两项权重之和必须为 100%",
        "{first} + {second} = {total}; the two weights must add up to 100%",
    ),
    "policy.unknown_level": (
        "没有“{level}”这个级别：请用 {choices} 之一",
        "unknown level '{level}'; use one of {choices}",
    ),
    "policy.unknown_grade": (
        "没有“{grade}”这个等级：请用 {choices} 之一",
        "unknown grade '{grade}'; use one of {choices}",
    ),
    "policy.negative_value": ("为 {value}，不能为负数", "is {value}; it cannot be negative"),
    "policy.negative_fine": ("为 {value}，罚款不能为负数", "is {value}; a fine cannot be negative"),
    "policy.not_positive": ("必须大于 0", "must be more than 0"),
    "policy.empty_ladder": ("客服等级至少要有一级", "the ladder needs at least one rung"),
    "policy.ladder_order": (
        "为 {value}，低于上一级的 {previous}：更高的等级至少需要同样长的服务月数",
        "{value} is below the rung before it ({previous}); a higher rank needs at least as "
        "much service",
    ),
    "policy.one_condition": (
        "{score} 和 {grade} 必须填写且只填写其中一个",
        "give exactly one of {score} and {grade}",
    ),
    "policy.grades_rise": (
        "考核等级分数线必须逐级升高：{first} < {second} < {third}（现在为 {a}、{b}、{c}）",
        "the grade lines must rise: {first} < {second} < {third} (now {a}, {b}, {c})",
    ),
    "policy.rates_whole": (
        "{first} + {second} + {third} = {total}：三项比例之和必须为 100%",
        "{first} + {second} + {third} = {total}; they must add up to 100%",
    ),
    "policy.duplicate_codes": ("考核项目的代码不能重复", "item codes must be unique"),
    "policy.points_total": (
        "各考核项目分值合计 {total}，不是 {expected}：各项权重之和必须等于考核表总分",
        "item points add up to {total}, not {expected}; the weights must add up to the "
        "scorecard total",
    ),
    "policy.not_month": (
        "“{value}”不是月份：请写成 YYYY-MM，例如 2026-12",
        "'{value}' is not a month; write it as YYYY-MM, e.g. 2026-12",
    ),
    "policy.unknown_schedule": (
        "为“{name}”：没有这个名称的提成方案（已有：{choices}）",
        "is '{name}'; there is no commission schedule of that name (known: {choices})",
    ),
    "policy.empty_scale": ("分档表至少要有一档", "a scale needs at least one bracket"),
    "policy.first_band": (
        "为 {value}：第一档必须从 0 开始，每个有效的数才都落在某一档中（下面没有空档）",
        "is {value}; the first band must start at 0 so that every valid input falls in a band "
        "(no gap below it)",
    ),
    "policy.threshold_order": (
        "{value} 不高于上一档（{previous}）的起点 {previous_value}：请按从小到大的顺序列出各档，"
        "不要重叠",
        "{value} is not above {previous}.threshold {previous_value}; list bands in increasing "
        "order without overlaps",
    ),
    "policy.rate_range": (
        "为 {value}：比例必须在 0 到 1（100%）之间",
        "is {value}; a rate must lie between 0 and 1 (100%)",
    ),
    "policy.amount_order": (
        "{value} 低于上一档（{previous}）的 {previous_value}：更高的一档不能发得更少",
        "{value} is below {previous}.amount {previous_value}; a higher band cannot pay less",
    ),
    "policy.empty_tax_table": ("税率表至少要有一档", "a tax table needs at least one band"),
    "policy.first_tax_band": (
        "必须从 0 开始，速算扣除数为 0（第一档从第一元起计税）",
        "must start at 0 with quick deduction 0 (the first band taxes everything from the "
        "first yuan)",
    ),
    "policy.tax_band_order": (
        "（{threshold}，{rate}）没有高于上一档（{previous}）：各档的级距下限和税率都必须逐档升高",
        "({threshold}, {rate}) does not rise above {previous}; list bands with increasing "
        "thresholds and rates",
    ),
    "policy.quick_deduction": (
        "为 {value}：税率表只有在速算扣除数为 {expected} 时才连续"
        "（请核对这一档的税率和速算扣除数）",
        "is {value}; the table is continuous only with {expected} (check the band's rate and "
        "deduction)",
    ),
    "policy.floor_ceiling": (
        "{value} 高于 {ceiling} {ceiling_value}：下限不能超过上限",
        "{value} is above {ceiling} {ceiling_value}; the floor cannot exceed the ceiling",
    ),
    "policy.unknown_city": (
        "为“{city}”：没有这个名称的城市表（已有：{choices}）",
        "is '{city}'; there is no city table of that name ({choices})",
    ),
    "policy.housing_rate": (
        "为 {value}：住房公积金比例必须在 {minimum} 到 {maximum} 之间",
        "is {value}; the housing fund rate must lie between {minimum} and {maximum}",
    ),
    # pydantic's own error types, named by their type code
    "policy.pydantic.missing": ("缺少这一项（必填）", "Field required"),
    "policy.pydantic.extra_forbidden": (
        "没有这个键（可能拼错了）：请删除它，或从模板复制正确的键",
        "Extra inputs are not permitted (not a policy key: a typo?)",
    ),
    "policy.pydantic.number": ("应填写数字", "Input should be a valid number"),
    "policy.pydantic.integer": ("应填写整数", "Input should be a valid integer"),
    "policy.pydantic.int_from_float": (
        "应填写整数，不能有小数部分",
        "Input should be a valid integer, got a number with a fractional part",
    ),
    "policy.pydantic.bool": (
        "应填写 TRUE 或 FALSE（是或否）",
        "Input should be a valid boolean (TRUE or FALSE)",
    ),
    "policy.pydantic.text": ("应填写文字", "Input should be a valid string"),
    "policy.pydantic.list": ("应是一组值（列表）", "Input should be a valid list"),
    "policy.pydantic.table": ("应是一组带名称的值（表）", "Input should be a valid dictionary"),
    "policy.pydantic.greater_than_equal": (
        "应大于或等于 {limit}",
        "Input should be greater than or equal to {limit}",
    ),
    "policy.pydantic.greater_than": ("应大于 {limit}", "Input should be greater than {limit}"),
    "policy.pydantic.less_than_equal": (
        "应小于或等于 {limit}",
        "Input should be less than or equal to {limit}",
    ),
    "policy.pydantic.less_than": ("应小于 {limit}", "Input should be less than {limit}"),
    "policy.pydantic.literal_error": ("应填写 {expected} 之一", "Input should be {expected}"),
    "policy.pydantic.month": (
        "不是月份：请写成 YYYY-MM，例如 2027-12",
        "is not a month; write it as YYYY-MM, e.g. 2027-12",
    ),
    "policy.pydantic.pattern": (
        "格式不对：应符合 {pattern}",
        "String should match pattern {pattern}",
    ),
    "policy.pydantic.other": (
        "值不正确（错误类型 {type}）",
        "the value is not valid ({type})",
    ),
    # the 参数 sheet (workbook_templates.policy_sheet)
    "policy.sheet.located": (
        "{cell} 的值为 {value}：{message}。{remedy}",
        "{cell} = {value}: {message}. {remedy}",
    ),
    "policy.sheet.remedy": (
        "按说明列改正“{sheet}”表上的值，或从模板复制这一行",
        "Correct the value on the {sheet} sheet (see the note column) or copy the row back "
        "from the template",
    ),
    "policy.sheet.bad_key": ("不是有效的键", "not a policy key path"),
    "policy.sheet.bad_key_remedy": (
        "从模板恢复这个键（A列不能修改）",
        "Restore the key from the template (column A is not editable text)",
    ),
    # reading a policy file and the flat key-path form (xlkpi.policy_io)
    "policy.io.not_toml": (
        "{source} 不是有效的 TOML 文件：第 {line} 行第 {column} 列附近格式不对",
        "{source}: not valid TOML near line {line}, column {column}",
    ),
    "policy.io.not_key_path": (
        "“{path}”不是键的写法：应写成 `perf_coeff.brackets[2].amount` 这样的形式",
        "'{path}' is not a key path such as perf_coeff.brackets[2].amount",
    ),
    "policy.io.index_for_name": (
        "{path}：[{index}] 所在处应是名称，不是序号",
        "{path}: [{index}] used where a name is expected",
    ),
    "policy.io.index_skips": (
        "{path}：序号 [{index}] 跳过了 [{expected}]：请按 0、1、2 … 依次编号",
        "{path}: index [{index}] skips [{expected}]; number rows 0, 1, 2 …",
    ),
    "policy.io.name_for_index": (
        "{path}：此处应是序号 [n]，不是名称",
        "{path}: a name used where [index] is expected",
    ),
}


def set_lang(lang: str) -> None:
    """Make ``lang`` ("zh" or "en") the language of every later :func:`t`."""
    _current[0] = lang if lang in LANGS else DEFAULT_LANG


def get_lang() -> str:
    """The current language ("zh" or "en")."""
    return _current[0]


def env_lang(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the environment asks for (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), or None.

    ``en_US.UTF-8`` → "en"; ``zh_CN.UTF-8`` → "zh"; ``C.UTF-8`` or unset → None.
    """
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            code = value.split(".")[0].split("_")[0].lower()
            return code if code in LANGS else None
    return None


def resolve_lang(
    explicit: str | None, workbook: str | None, environ: Mapping[str, str] | None = None
) -> str:
    """The run's language: ``--lang``, else the workbook's ``lang``, else LANG, else zh."""
    for choice in (explicit, workbook, env_lang(environ)):
        if choice in LANGS:
            return choice
    return DEFAULT_LANG


def t(key: str, /, lang: str | None = None, **values: object) -> str:
    """The message ``key`` in ``lang`` (default: the current language), with ``values`` filled."""
    zh, en = MESSAGES[key]
    text = en if (lang or _current[0]) == "en" else zh
    return text.format(**values) if values else text


_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）"}
_CJK_MARKS = "，。；：！？、（）「」“”《》…—"


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch in _CJK_MARKS


def chinese_punctuation(text: str) -> str:
    """``text`` with the ASCII ``, ; : ( )`` next to Chinese made Chinese (，；：（）).

    A mark is changed when its nearest neighbour on either side (spaces skipped) is a Chinese
    character or Chinese punctuation (``!`` stays: it joins a sheet and a cell); a pair
    of brackets is changed together when either bracket has a Chinese neighbour, so
    ``工号(A列)`` → ``工号（A列）``. Spaces around a changed mark go. Codes, cell references,
    ``A:B`` ranges and English text are left as they are. For sentences assembled from parts
    (the reader's problems); the catalogue's own texts are written in Chinese punctuation.
    """
    if not any(mark in text for mark in _FULL_WIDTH):
        return text
    chars = list(text)
    n = len(chars)

    def near(i: int) -> bool:
        before, after = i - 1, i + 1
        while before >= 0 and chars[before] == " ":
            before -= 1
        while after < n and chars[after] == " ":
            after += 1
        return (before >= 0 and _is_cjk(chars[before])) or (after < n and _is_cjk(chars[after]))

    change: set[int] = set()
    opened: list[int] = []
    for i, ch in enumerate(chars):
        if ch == "(":
            opened.append(i)
        elif ch == ")" and opened:
            start = opened.pop()
            if near(start) or near(i):
                change.update((start, i))
        elif ch in _FULL_WIDTH and near(i):
            change.add(i)
    change.update(i for i in opened if near(i))
    if not change:
        return text
    out: list[str] = []
    for i, ch in enumerate(chars):
        if i in change:
            while out and out[-1] == " ":
                out.pop()
            out.append(_FULL_WIDTH[ch])
        elif ch == " " and out and out[-1] in _FULL_WIDTH.values() and (i - 1) in change:
            continue
        else:
            out.append(ch)
    return "".join(out)
