"""The pages' words: Chinese first, English on request (`?lang=en`, kept in a cookie).

One table, key -> (Chinese, English). A key missing from it fails the render (KeyError), and
tests/central/test_web_rules.py renders every page in both languages, so no label is left
untranslated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from central.web.national_words import NATIONAL_TEXT
from central.web.scene_words import SCENE_TEXT
from central.web.task_words import TASK_TEXT
from central.web.tip_off_words import TIP_OFF_TEXT

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LANGUAGE_COOKIE = "lang"
HTML_LANG = {"zh": "zh-CN", "en": "en"}

TEXT: Mapping[str, tuple[str, str]] = {
    # layout
    "site": ("健康码管理", "Health-code administration"),
    "switch_language": ("English", "中文"),
    "logout": ("退出", "Log out"),
    "nav_dashboard": ("概览", "Dashboard"),
    "nav_accounts": ("账户", "Accounts"),
    "nav_enterprises": ("企业", "Enterprises"),
    "nav_staff": ("防疫人员", "Staff"),
    "nav_fleet": ("卡口设备", "Fleet"),
    "nav_alerts": ("告警", "Alerts"),
    "nav_reports": ("报表", "Reports"),
    "signed_in_as": ("当前账户", "Signed in as"),
    "none": ("无", "None"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "submit": ("提交", "Submit"),
    "create": ("创建", "Create"),
    "show": ("查看", "Show"),
    "back": ("返回", "Back"),
    "cancel": ("取消", "Cancel"),
    # login
    "login_title": ("管理员登录", "Administrator login"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "login": ("登录", "Log in"),
    "login_failed": ("用户名或密码错误", "Wrong user name or password"),
    "form_expired": ("表单已失效，请刷新页面后重试", "The form expired: reload the page and retry"),
    "logged_out": ("已退出", "Logged out"),
    # errors
    "not_found": ("不存在或不在您的辖区内", "Not found, or not in your area"),
    "forbidden": ("您的账户无权执行此操作", "Your account may not do this"),
    "bad_request": ("输入有误", "Please check the input"),
    # dashboard
    "dashboard_title": ("辖区概览", "Area dashboard"),
    "area": ("辖区", "Area"),
    "choose_area": ("选择下级辖区", "Choose an area below"),
    "whole_area": ("整个辖区", "Whole area"),
    "colour_counts": ("赋码人数（按颜色）", "People with a code, by colour"),
    "green": ("绿码", "Green"),
    "yellow": ("黄码", "Yellow"),
    "red": ("红码", "Red"),
    "fevers_today": ("今日发热", "Fevers today"),
    "kiosks_online": ("在线设备", "Kiosks online"),
    "upload_backlog": ("待上传记录", "Upload backlog"),
    "alerts_count": ("告警", "Alerts"),
    "see_details": ("详情", "Details"),
    "people_not_shown": ("仅区域管理员可见", "Shown to region administrators only"),
    # accounts
    "accounts_title": ("账户", "Accounts"),
    "role": ("角色", "Role"),
    "active": ("已激活", "Active"),
    "locked": ("已锁定", "Locked"),
    "created_at": ("创建时间", "Created"),
    "new_account": ("新建账户", "New account"),
    "area_code": ("所在地区", "Region"),
    "industry": ("行业", "Industry"),
    "enterprise": ("企业", "Enterprise"),
    "activation_link": ("激活链接（仅显示一次）", "Activation link (shown once)"),
    "activation_hint": (
        "请将此链接交给新用户，用于设置密码；有效期至",
        "Give this link to the new user to set a password; valid until",
    ),
    "account_created": ("账户已创建", "Account created"),
    "role_region_admin": ("区域管理员", "Region administrator"),
    "role_industry_department": ("行业主管部门", "Industry department"),
    "role_enterprise_admin": ("企业管理员", "Enterprise administrator"),
    "role_epidemic_staff": ("企业防疫人员", "Epidemic staff"),
    "role_technician": ("技术人员", "Technician"),
    "role_supervisor": ("督导", "Supervisor"),
    # enterprises and staff
    "enterprises_title": ("企业", "Enterprises"),
    "name": ("名称", "Name"),
    "new_enterprise": ("登记企业", "Register an enterprise"),
    "enterprise_created": ("企业已登记", "Enterprise registered"),
    "staff_title": ("防疫人员与员工名册", "Epidemic staff and roster"),
    "staff_accounts": ("防疫人员账户", "Epidemic staff accounts"),
    "add_staff": ("添加防疫人员", "Add epidemic staff"),
    "mobile": ("手机号", "Mobile number"),
    "staff_added": ("防疫人员已添加", "Staff member added"),
    "roster": ("员工名册", "Employee roster"),
    "person_name": ("姓名", "Name"),
    "id_masked": ("证件号（脱敏）", "ID number (masked)"),
    "phone": ("电话", "Phone"),
    "department": ("部门", "Department"),
    "no_enterprise": ("您的账户尚未关联企业", "Your account has no enterprise yet"),
    # fleet
    "fleet_title": ("卡口与设备", "Checkpoints and kiosks"),
    "checkpoint": ("卡口", "Checkpoint"),
    "kiosk": ("设备", "Kiosk"),
    "last_seen": ("最后联系", "Last seen"),
    "version": ("版本", "Version"),
    "backlog": ("待上传", "Backlog"),
    "feed_age": ("状态库时效", "Feed age"),
    "clock_offset": ("时钟偏差", "Clock offset"),
    "revoked": ("已停用", "Revoked"),
    "revoke": ("停用", "Revoke"),
    "revoke_title": ("停用设备", "Revoke a kiosk"),
    "revoke_confirm": (
        "停用后该设备的所有请求都将被拒绝，且无法恢复。确定停用？",
        "Every request of this kiosk will be refused from now on; this cannot be undone. Revoke?",
    ),
    "kiosk_revoked": ("设备已停用", "Kiosk revoked"),
    "no_kiosks": ("尚无设备", "No kiosks yet"),
    "never": ("从未", "never"),
    "new_checkpoint": ("新建卡口", "New checkpoint"),
    "checkpoint_enterprise": ("所属企业（企业卡口）", "Enterprise (for its gate)"),
    "not_an_enterprise_gate": ("无（非企业卡口）", "None (not an enterprise gate)"),
    "checkpoint_type": ("卡口类型", "Type"),
    "address": ("地址", "Address"),
    "checkpoint_created": ("卡口已创建", "Checkpoint created"),
    "enrollment_code": ("设备注册码", "Enrollment code"),
    "new_enrollment_code": ("生成注册码", "New enrollment code"),
    "enrollment_code_hint": (
        "在设备上输入或扫描此码完成注册；仅可使用一次，有效期至",
        "Type or scan this code on the kiosk; usable once, valid until",
    ),
    "type_enterprise_gate": ("企业门岗", "Enterprise gate"),
    "type_residential_compound": ("小区", "Residential compound"),
    "type_village": ("村口", "Village"),
    "type_road_junction": ("道口", "Road junction"),
    "type_clinic": ("诊所", "Clinic"),
    "type_pharmacy": ("药店", "Pharmacy"),
    "type_transit_vehicle": ("公共交通（车内）", "Public transport (vehicle)"),
    "type_transit_station": ("公共交通（站点）", "Public transport (station)"),
    "type_shop": ("商场超市", "Shop or supermarket"),
    "type_hotel": ("酒店宾馆", "Hotel"),
    "type_school": ("学校", "School"),
    "type_public_building": ("公共建筑", "Public building"),
    "seconds": ("秒", "s"),
    "minutes": ("分钟", "min"),
    "hours": ("小时", "h"),
    # alerts
    "alerts_title": ("告警", "Alerts"),
    "shared_screenshots": ("疑似截图共用", "Shared screenshots"),
    "impossible_travel": ("短时间内异地通行", "Impossible travel"),
    "entered_twice": ("重复进入未离开", "Entered twice"),
    "kiosk_alerts": ("设备告警", "Kiosk alerts"),
    "kiosk_silent": ("设备失联", "Kiosk silent"),
    "stale_feed": ("状态库过期", "Stale feed"),
    "first_seen": ("第一次", "First"),
    "second_seen": ("第二次", "Second"),
    "kind": ("类型", "Kind"),
    "count": ("人数", "Count"),
    "no_alerts": ("暂无告警", "No alerts"),
    # reports
    "reports_title": ("报表", "Reports"),
    "day": ("日期", "Day"),
    "daily_figures": ("当日核验统计", "Checks of the day"),
    "today_so_far": ("今日（截至现在）", "today so far"),
    "passages": ("核验人次", "Checks"),
    # the kiosk's own words for its results (kiosk.checkpoint.outcome.Outcome.label)
    "outcome_pass": ("通行", "Pass"),
    "outcome_deny": ("禁止通行", "No entry"),
    "outcome_refer": ("请留观", "Observation"),
    "outcome_manual_check": ("请人工核验", "Manual check"),
    "fevers": ("发热", "Fevers"),
    "range_days": ("近 {days} 日", "Last {days} days"),
    "trend_figures": ("每日统计", "Day by day"),
    "chart_outcomes_per_day": (
        "近 {days} 日核验结果与发热",
        "Results and fevers, last {days} days",
    ),
    "chart_colours_by_area": ("各下级地区健康码颜色", "Code colours by sub-area"),
    "chart_fleet_health": ("核验终端状态", "Kiosks"),
    "chart_empty": ("这段时间没有记录", "Nothing recorded in this period"),
    "chart_no_kiosks": ("还没有核验终端", "No kiosks yet"),
    "chart_no_people": ("辖区内暂无赋码人员", "Nobody in this area has a code yet"),
    "fleet_online": ("在线", "Online"),
    "fleet_silent": ("失联", "Silent"),
    "fleet_never": ("从未连接", "Never connected"),
    "download_daily": ("下载当日推送文件（CSV）", "Download the day's push file (CSV)"),
    "download_weekly": ("下载周使用统计（CSV）", "Download the week's usage statistics (CSV)"),
    "export_title": ("导出", "Export"),
    "export_hint": (
        "按条件导出通行记录或花名册；数据量大时在后台生成，完成后下载。",
        "Export passages or the roster by filter; large exports are made in the background.",
    ),
    "region_filter": ("地区", "Region"),
    "colour": ("码色", "Colour"),
    "any": ("全部", "Any"),
    "id_number": ("证件号（查询个人）", "ID number (one person)"),
    "first_day": ("开始日期", "From"),
    "last_day": ("结束日期", "To"),
    "fever_only": ("仅发热", "Fevers only"),
    "export_kind": ("内容", "Contents"),
    "kind_passages": ("通行记录", "Passages"),
    "kind_roster": ("花名册", "Roster"),
    "file_format": ("格式", "Format"),
    "start_export": ("开始导出", "Start the export"),
    "recent_exports": ("最近的导出", "Recent exports"),
    "state": ("状态", "State"),
    "rows": ("行数", "Rows"),
    "state_queued": ("排队中", "Queued"),
    "state_running": ("生成中", "Running"),
    "state_done": ("已完成", "Ready"),
    "state_failed": ("失败", "Failed"),
    "download": ("下载", "Download"),
    "export_progress": ("导出进度", "Export progress"),
    "export_refreshing": (
        "页面将自动刷新，直到文件生成。",
        "This page reloads until the file is ready.",
    ),
    "expires": ("文件保留至", "Kept until"),
    # passwords, first login and lockout (central/core/passwords.py, central/web/setup_page.py)
    "login_locked_until": (
        "尝试次数过多，该账户已锁定至 {until}（北京时间），请届时再试",
        "Too many failed attempts: this account is locked until {until} (Beijing time)",
    ),
    "login_throttled": (
        "此地址的登录尝试过多，请一分钟后再试",
        "Too many logins from this address: try again in a minute",
    ),
    "setup_title": ("设置管理员密码", "Set your password"),
    "setup_intro": (
        "请为账户 {username} 设置密码：至少 12 个字符，不要使用常见密码、用户名、日期或键盘顺序。"
        "几个不相关的词组成的长句最好记也最安全。",
        "Choose a password for {username}: 12 characters at least, not a common password, "
        "the user name, a date or a keyboard pattern. A few unrelated words make a long "
        "password that is easy to remember and hard to guess.",
    ),
    "setup_no_token": (
        "请打开 central init 或账户创建时给出的链接。",
        "Open the link that central init or the account's creation gave.",
    ),
    "setup_link_invalid": (
        "此链接无效、已使用或已过期，请向管理员索取新的链接。",
        "This link is unknown, used or expired: ask an administrator for a new one.",
    ),
    "new_password": ("新密码", "New password"),
    "repeat_password": ("再次输入新密码", "The new password again"),
    "passwords_differ": ("两次输入的密码不一致", "The two passwords differ"),
    "save_password": ("保存密码", "Save the password"),
    "setup_done": (
        "密码已设置。请以 {username} 登录。",
        "The password is set. Log in as {username}.",
    ),
    "go_to_login": ("前往登录", "Go to the login"),
    "password_too_short": ("密码至少需要 12 个字符", "A password needs 12 characters at least"),
    "password_too_long": ("密码最多 256 个字符", "A password has 256 characters at most"),
    "password_common": (
        "这是常见密码，或由常用词、常见姓名组成，容易被猜中",
        "This is a common password, or made of common words or names: easy to guess",
    ),
    "password_contains_name": (
        "密码不能由用户名或本系统的名称组成",
        "The password must not be made of the user name or the service's name",
    ),
    "password_repeated": (
        "密码含有重复的字符或片段（如 aaaa、abcabc），容易被猜中",
        "The password repeats characters or a pattern (like aaaa, abcabc): easy to guess",
    ),
    "password_sequence": (
        "密码是连续的字母或数字（如 abcd、1234），容易被猜中",
        "The password is a run of letters or digits (like abcd, 1234): easy to guess",
    ),
    "password_keyboard": (
        "密码是键盘上相邻的按键（如 qwerty、1qaz2wsx），容易被猜中",
        "The password is a keyboard pattern (like qwerty, 1qaz2wsx): easy to guess",
    ),
    "password_date": (
        "密码由日期或年份组成，容易被猜中",
        "The password is made of a date or a year: easy to guess",
    ),
    "password_guessable": (
        "密码容易被猜中：请用更长的密码，或几个不相关的词",
        "The password is easy to guess: use a longer one, or a few unrelated words",
    ),
    # the region picker (templates/_region_picker.html)
    "region_choose": ("请选择地区", "Choose a region"),
    "region_any": ("全部地区（不限）", "Any region"),
    "region_search": ("搜索地名或拼音首字母", "Search a name or pinyin initials"),
    "region_here": ("选择", "Choose"),
    "region_top": ("全部", "All"),
    "region_loading": ("正在加载…", "Loading…"),
    "region_empty": ("没有找到这个地区", "No region found"),
    "region_failed": ("地区加载失败，请重试", "Could not load the regions; try again"),
    "region_close": ("收起", "Close"),
    # the resident's pages (templates/resident_*.html, static/resident.js)
    "r_site": ("健康码", "Health code"),
    "r_nav_declare": ("申领", "Apply"),
    "r_nav_my_code": ("我的健康码", "My code"),
    "r_nav_check_in": ("每日打卡", "Daily check-in"),
    "r_declare_title": ("健康码申领", "Apply for a health code"),
    "r_declare_hint": (
        "如实填报，虚假申报将承担法律责任。",
        "Declare truthfully: a false declaration is against the law.",
    ),
    "r_personal": ("个人信息", "About you"),
    "r_full_name": ("姓名", "Full name"),
    "r_id_type": ("证件类型", "ID document"),
    "r_id_resident": ("居民身份证", "Resident ID card"),
    "r_id_passport": ("护照", "Passport"),
    "r_id_hk_macao": ("港澳居民来往内地通行证", "Mainland travel permit (HK, Macao)"),
    "r_id_taiwan": ("台湾居民来往大陆通行证", "Mainland travel permit (Taiwan)"),
    "r_id_number": ("证件号码", "ID number"),
    "r_for_whom": ("为谁申领", "For whom"),
    "r_for_self": ("本人", "Myself"),
    "r_for_child": ("为子女代领（监护人）", "My child (as guardian)"),
    "r_phone_check": ("手机验证", "Your phone"),
    "r_phone": ("手机号码", "Mobile number"),
    "r_sms_code": ("短信验证码", "Code from the text message"),
    "r_sms_send": ("获取验证码", "Send code"),
    "r_sms_sent": ("验证码已发送，请查看短信", "Code sent: see your text messages"),
    "r_sms_wait": ("{s} 秒后可重发", "Resend in {s} s"),
    "r_residence_work": ("居住与工作", "Where you live and work"),
    "r_residence": ("现居住地（选到社区或村）", "Where you live (down to your community)"),
    "r_workplace": ("工作单位（选填）", "Workplace (optional)"),
    "r_travel": ("14 天内旅居史", "Travel in the last 14 days"),
    "r_travel_area": ("到过的地区（没有可不填）", "An area you visited (if any)"),
    "r_travel_day": ("最后一天在那里", "Your last day there"),
    "r_abroad": ("到过境外", "I was abroad"),
    "r_health": ("健康状况", "Your health"),
    "r_temperature": ("体温（°C，选填）", "Temperature (°C, optional)"),
    "r_symptoms": ("症状", "Symptoms"),
    "r_fever": ("发热", "Fever"),
    "r_dry_cough": ("干咳", "Dry cough"),
    "r_short_breath": ("气促", "Short of breath"),
    "r_contacts": ("接触史", "Contact with"),
    "r_confirmed": ("确诊病例", "A confirmed case"),
    "r_suspected": ("疑似病例", "A suspected case"),
    "r_asymptomatic": ("无症状感染者", "An asymptomatic carrier"),
    "r_submit": ("提交申领", "Get my code"),
    "r_my_code_title": ("我的健康码", "My health code"),
    "r_look_up_hint": (
        "换了手机或清除了浏览器？用申领时的证件号码和手机号码找回健康码。",
        "New phone or cleared browser? Find your code with the ID and phone you applied with.",
    ),
    "r_look_up": ("找回健康码", "Find my code"),
    "r_refresh": ("刷新", "Refresh"),
    "r_now": ("当前时间", "Time now"),
    "r_valid_until": ("有效期至", "Valid until"),
    "r_name": ("姓名", "Name"),
    "r_refreshed_at": ("更新于", "Updated"),
    "r_colour_green": ("绿码：可正常通行", "Green: you may pass"),
    "r_colour_yellow": ("黄码：请居家观察，按要求核酸检测", "Yellow: stay home and get tested"),
    "r_colour_red": ("红码：请立即联系社区，勿外出", "Red: call your community, stay in"),
    "r_check_in_title": ("每日健康打卡", "Daily health check-in"),
    "r_check_in_hint": (
        "每天报一次体温和症状；有症状时健康码可能变色。",
        "Report your temperature and symptoms once a day; symptoms may change your code.",
    ),
    "r_check_in_submit": ("打卡", "Check in"),
    "r_checked_in": ("今日已打卡", "Checked in for today"),
    "r_need_code_first": (
        "请先申领或找回健康码，再来打卡。",
        "Apply for your code or find it first, then check in.",
    ),
    "r_show_code": ("查看我的健康码", "Show my code"),
    "r_err_full_name": ("请填写姓名（最多 50 字）", "Enter your full name (up to 50 characters)"),
    "r_err_id_number": (
        "证件号码有误，请核对（身份证为 18 位，末位可为 X）",
        "Check the ID number (a resident ID has 18 characters, the last may be X)",
    ),
    "r_err_phone": ("请填写 11 位手机号码", "Enter an 11-digit mobile number"),
    "r_err_sms_code": ("请填写短信中的 6 位验证码", "Enter the 6-digit code from the text"),
    "r_err_sms_code_wrong": (
        "验证码不对或已过期，或证件号码与手机号码不匹配",
        "The code is wrong or expired, or the ID and phone do not match",
    ),
    "r_err_residence": ("请选择现居住地（选到社区或村）", "Choose where you live"),
    "r_err_travel": (
        "旅居史：请选择地区或勾选境外，并填写不晚于今天的日期",
        "Travel: choose an area or abroad, and a day no later than today",
    ),
    "r_err_temperature_celsius": ("体温应在 34 到 43 °C 之间", "A temperature of 34 to 43 °C"),
    "r_err_symptoms": ("请从列出的症状中选择", "Choose from the symptoms listed"),
    "r_err_contacts": ("请从列出的接触史中选择", "Choose from the contacts listed"),
    "r_err_workplace": ("工作单位最多 200 字", "A workplace of up to 200 characters"),
    "r_err_rate_limited": (
        "操作太频繁，请一分钟后再试",
        "Too many tries: please wait a minute",
    ),
    "r_err_sms_failed": (
        "短信发送失败，请稍后再试",
        "The text message could not be sent: try again later",
    ),
    "r_err_network": ("网络不通，请检查网络后重试", "No connection: check it and try again"),
    "r_err_server": ("服务暂时不可用，请稍后再试", "The service is busy: try again later"),
    "r_err_check": ("请检查标红的内容", "Check the items marked in red"),
    "r_err_not_found": (
        "没有找到您的健康码，请重新申领或找回",
        "Your code was not found: apply again or find it",
    ),
    # issue 24, what was left: refusal pages, fever reasons, check-ins, region files
    "err_week": ("周次有误，请按 2026-W47 的格式填写", "Write the week as 2026-W47"),
    "fever_reason": ("原因", "Reason"),
    "fever_decided_at": ("处理时间", "Decided"),
    "fever_reason_choose": ("请选择原因", "Choose a reason"),
    "fever_reasons_confirm": ("确认发热的原因", "Reasons to confirm"),
    "fever_reasons_dismiss": ("排除的原因", "Reasons to dismiss"),
    "fever_reason_remeasured_fever": ("复测仍发热", "Still a fever when measured again"),
    "fever_reason_symptoms": ("伴有其他症状", "Other symptoms seen"),
    "fever_reason_referred": ("已转诊发热门诊", "Sent to a fever clinic"),
    "fever_reason_remeasured_normal": ("复测体温正常", "Normal when measured again"),
    "fever_reason_surroundings": ("日晒、高温或运动所致", "Sun, heat or exercise"),
    "fever_reason_device_fault": ("设备测温有误", "The kiosk measured wrongly"),
    "fever_reason_other": ("其他原因", "Another reason"),
    "fever_err_reason": ("请先选择原因，再确认或排除", "Choose a reason, then confirm or dismiss"),
    "fever_err_reason_fit": (
        "所选原因与处理方式不符",
        "That reason does not fit this decision",
    ),
    "action_decide": ("处理", "Decide"),
    "action_import": ("导入", "Import"),
    "nav_check_ins": ("健康打卡", "Check-ins"),
    "object_check_in": ("健康打卡", "Check-ins"),
    "check_ins_title": ("居民每日健康打卡", "Residents' daily check-ins"),
    "check_ins_day": ("日期", "Day"),
    "check_ins_done": ("已打卡", "Checked in"),
    "check_ins_missing": ("未打卡", "Not checked in"),
    "check_ins_hint": (
        "未打卡名单只含自行申领健康码的居民（代办和纸质码的持码人不打卡）。姓名、证件号码和手机号均已遮挡。",
        "Not checked in lists the residents who declared their own code (holders of proxy "
        "and paper codes do not check in). Names, ID numbers and phones are masked.",
    ),
    "check_ins_count": (
        "已打卡 {n} 人，其中异常 {abnormal} 人",
        "{n} checked in, {abnormal} abnormal",
    ),
    "check_ins_missing_count": ("未打卡 {n} 人", "{n} not checked in"),
    "check_ins_limit": ("只列出前 {n} 人", "The first {n} only"),
    "check_ins_name": ("姓名", "Name"),
    "check_ins_id": ("证件号码", "ID number"),
    "check_ins_at": ("打卡时间", "Checked in at"),
    "check_ins_state": ("情况", "Answer"),
    "check_ins_normal": ("正常", "Normal"),
    "check_ins_abnormal": ("异常", "Abnormal"),
    "check_ins_none": ("这一天还没有人打卡", "Nobody has checked in on this day"),
    "check_ins_none_missing": ("这一天没有未打卡的居民", "Everyone has checked in on this day"),
    "regions_load_title": ("导入行政区划文件", "Load a region file"),
    "regions_load_format": (
        "CSV 文件（UTF-8），首行为 code,name_zh,name_en，之后每行一个区划；以 # 开头的行为注释。"
        "有任何一行出错则整个文件都不导入；再次导入同一区划即更新其名称。",
        "A CSV file (UTF-8): the first line code,name_zh,name_en, then one region a line; "
        "lines starting with # are comments. With any wrong line nothing is loaded; loading a "
        "region again updates its names.",
    ),
    "regions_file": ("区划文件", "Region file"),
    "regions_load": ("导入", "Load"),
    "regions_loaded": ("已导入 {n} 个行政区划", "{n} regions loaded"),
    "regions_not_loaded": (
        "有 {n} 处错误，文件未导入；改正后请重新上传",
        "{n} problems: nothing was loaded. Correct them and send the file again",
    ),
    "regions_err_file": ("请选择区划文件", "Choose a region file"),
    "regions_err_too_large": ("文件太大（最多 8 MB）", "The file is too large (at most 8 MB)"),
    "regions_line": ("第 {n} 行", "Line {n}"),
    "regions_err_utf8": (
        "文件不是 UTF-8 编码，请另存为 UTF-8",
        "The file is not UTF-8: save it as UTF-8",
    ),
    "regions_problem_header": (
        "首行应为 code,name_zh,name_en",
        "The first line must be code,name_zh,name_en",
    ),
    "regions_problem_fields": ("应有 3 列", "Needs 3 fields"),
    "regions_problem_code": ("区划代码有误", "Not a region code"),
    "regions_problem_no_name": ("缺少中文名称", "No Chinese name"),
    "regions_problem_twice": ("区划代码重复", "The code is on an earlier line too"),
    "regions_problem_no_parent": (
        "上级区划既不在文件中也未导入",
        "Its parent is neither in the file nor loaded",
    ),
    "regions_problem_outside": ("不在您的辖区内", "Outside your area"),
    "regions_problem_empty": ("文件中没有区划", "The file has no regions"),
    # issue 27, one person one code: the declaration page asks the phone on record
    "r_prev_title": ("原手机验证", "Your old phone"),
    "r_prev_explain": (
        "该证件号码已在另一部手机上申领过健康码（一人一码）。请发送验证码到原手机，"
        "填写收到的验证码后再次提交。",
        "This ID number already has a health code on another phone (one person, one code). "
        "Send a code to that phone, enter it here and submit again.",
    ),
    "r_prev_send": ("发送验证码到原手机", "Send code to old phone"),
    "r_prev_code": ("原手机收到的验证码", "Code sent to the old phone"),
    "r_prev_sent": (
        "验证码已发送到原手机，请查看短信",
        "Code sent to the old phone: see its texts",
    ),
    "r_prev_lost": (
        "原手机丢失或已停用？请本人携带证件到社区，由社区工作人员当面更换手机号。",
        "Lost the old phone or no longer use it? Take your ID document to your community: "
        "a community worker can change the phone in person.",
    ),
    "r_prev_needed": (
        "该证件号码已绑定其他手机，请先完成原手机验证",
        "This ID is on another phone: confirm with that phone first",
    ),
    "r_err_previous_phone_code": (
        "请填写原手机收到的 6 位验证码",
        "Enter the 6-digit code sent to the old phone",
    ),
    "r_err_previous_phone_code_wrong": (
        "原手机验证码不对或已过期，请重新获取",
        "The old phone's code is wrong or expired: send a new one",
    ),
}
TEXT = {**TEXT, **TASK_TEXT}  # the task pages' words (central/web/task_words.py)
TEXT = {**TEXT, **TIP_OFF_TEXT}  # the tip-off pages' words (central/web/tip_off_words.py)
TEXT = {**TEXT, **NATIONAL_TEXT}  # issue 26's pages (central/web/national_words.py)
TEXT = {**TEXT, **SCENE_TEXT}  # the scene counts' words (central/web/scene_words.py)


PICKER_WORDS = ("search", "here", "top", "loading", "empty", "failed", "close")


@dataclass(frozen=True)
class Translator:
    language: str

    def __call__(self, key: str) -> str:
        zh, en = TEXT[key]
        return en if self.language == "en" else zh

    @property
    def html_lang(self) -> str:
        return HTML_LANG[self.language]

    def picker_words(self, *, choose: str = "region_choose") -> dict[str, str]:
        """The region picker's texts (`choose` is what its button says before a choice)."""
        words = {key: self(f"region_{key}") for key in PICKER_WORDS}
        return words | {"choose": self(choose)}

    @property
    def other(self) -> str:
        return "en" if self.language == "zh" else "zh"


def choose_language(query: str | None, cookie: str | None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return str(candidate)
    return DEFAULT_LANGUAGE
