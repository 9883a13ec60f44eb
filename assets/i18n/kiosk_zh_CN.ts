<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
    <context>
        <name>KioskWindow</name>
        <message>
            <source>Health-code checkpoint</source>
            <translation>健康码核验点</translation>
        </message>
    </context>
    <context>
        <name>ManualEntry</name>
        <message>
            <source>ID number</source>
            <translation>身份证号码</translation>
        </message>
        <message>
            <source>Code text</source>
            <translation>健康码文本</translation>
        </message>
        <message>
            <source>Temperature</source>
            <translation>体温</translation>
        </message>
        <message>
            <source>18-character ID number</source>
            <translation>18 位身份证号码</translation>
        </message>
        <message>
            <source>JKM1:...</source>
            <translation>JKM1:...</translation>
        </message>
        <message>
            <source>Use this ID number</source>
            <translation>使用此身份证号码</translation>
        </message>
        <message>
            <source>Check this code</source>
            <translation>核验此码</translation>
        </message>
        <message>
            <source>Record this temperature</source>
            <translation>记录此体温</translation>
        </message>
        <message>
            <source>Back to scanning</source>
            <translation>返回扫码</translation>
        </message>
        <message>
            <source>Valid ID number</source>
            <translation>身份证号码有效</translation>
        </message>
        <message>
            <source>%1 of 18 characters</source>
            <translation>已输入 %1/18 位</translation>
        </message>
    </context>
    <context>
        <name>OperatorPicker</name>
        <message>
            <source>No operators on this kiosk yet. The staff roster comes with the next sync.</source>
            <translation>本机尚无工作人员名单，将在下次同步时下载。</translation>
        </message>
    </context>
    <context>
        <name>OverridePanel</name>
        <message>
            <source>Change the decision</source>
            <translation>更改判定结果</translation>
        </message>
        <message>
            <source>Reason (required)</source>
            <translation>原因（必填）</translation>
        </message>
        <message>
            <source>Confirm</source>
            <translation>确认</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
    </context>
    <context>
        <name>PassageFieldBar</name>
        <message>
            <source>Vehicle plate</source>
            <translation>车牌号</translation>
        </message>
    </context>
    <context>
        <name>PassageTableModel</name>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Outcome</source>
            <translation>结果</translation>
        </message>
        <message>
            <source>Colour</source>
            <translation>颜色</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <source>Temp.</source>
            <translation>体温</translation>
        </message>
        <message>
            <source>Fever</source>
            <translation>发热</translation>
        </message>
        <message>
            <source>Operator</source>
            <translation>操作员</translation>
        </message>
    </context>
    <context>
        <name>PinPad</name>
        <message>
            <source>Enter your PIN</source>
            <translation>请输入个人 PIN 码</translation>
        </message>
        <message numerus="yes">
            <source>Wrong PIN. %n attempt(s) left.</source>
            <translation>
                <numerusform>PIN 码错误，还可尝试 %n 次。</numerusform>
            </translation>
        </message>
        <message>
            <source>Wrong PIN.</source>
            <translation>PIN 码错误。</translation>
        </message>
        <message>
            <source>This operator may not open this.</source>
            <translation>此工作人员无权打开此页面。</translation>
        </message>
        <message>
            <source>Too many wrong PINs. Locked for %1 more.</source>
            <translation>PIN 码错误次数过多，还需锁定 %1。</translation>
        </message>
        <message>
            <source>PIN</source>
            <translation>PIN 码</translation>
        </message>
        <message>
            <source>OK</source>
            <translation>确定</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>删除</translation>
        </message>
    </context>
    <context>
        <name>ResultScreen</name>
        <message>
            <source>Change decision</source>
            <translation>改判</translation>
        </message>
        <message>
            <source>Seen here %1 min ago</source>
            <translation>%1 分钟前已在此处通行</translation>
        </message>
        <message>
            <source>Seen here less than a minute ago</source>
            <translation>不到 1 分钟前已在此处通行</translation>
        </message>
    </context>
    <context>
        <name>ScanScreen</name>
        <message>
            <source>Manual entry</source>
            <translation>手工录入</translation>
        </message>
        <message>
            <source>Start over</source>
            <translation>重新开始</translation>
        </message>
        <message>
            <source>Staff sign-in</source>
            <translation>工作人员签到</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>主管</translation>
        </message>
        <message>
            <source>No camera image</source>
            <translation>无摄像头画面</translation>
        </message>
        <message>
            <source>On duty: %1</source>
            <translation>值班：%1</translation>
        </message>
        <message>
            <source>No staff signed in</source>
            <translation>无值班人员签到</translation>
        </message>
    </context>
    <context>
        <name>SignInView</name>
        <message>
            <source>Who is on duty? Touch your name.</source>
            <translation>谁在值班？请点选您的姓名。</translation>
        </message>
        <message>
            <source>Sign out</source>
            <translation>签退</translation>
        </message>
        <message>
            <source>Back</source>
            <translation>返回</translation>
        </message>
        <message>
            <source>Nobody is signed in.</source>
            <translation>当前无人签到。</translation>
        </message>
        <message>
            <source>On duty: %1</source>
            <translation>值班：%1</translation>
        </message>
        <message>
            <source>PIN for %1</source>
            <translation>%1 的 PIN 码</translation>
        </message>
    </context>
    <context>
        <name>SupervisorView</name>
        <message>
            <source>Reading…</source>
            <translation>正在读取…</translation>
        </message>
        <message>
            <source>Exporting…</source>
            <translation>正在导出…</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>主管</translation>
        </message>
        <message>
            <source>Touch your name, then enter your personal PIN.</source>
            <translation>请点选您的姓名，然后输入个人 PIN 码。</translation>
        </message>
        <message>
            <source>Back</source>
            <translation>返回</translation>
        </message>
        <message>
            <source>Passage log</source>
            <translation>通行记录</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <source>Settings</source>
            <translation>设置</translation>
        </message>
        <message>
            <source>Kiosk settings</source>
            <translation>终端设置</translation>
        </message>
        <message>
            <source>Mute all sounds</source>
            <translation>关闭所有声音</translation>
        </message>
        <message>
            <source>Spoken prompts after the tone</source>
            <translation>提示音后播放语音</translation>
        </message>
        <message>
            <source>Seconds a result stays on screen</source>
            <translation>结果显示时长（秒）</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>保存</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Colour</source>
            <translation>颜色</translation>
        </message>
        <message>
            <source>Outcome</source>
            <translation>结果</translation>
        </message>
        <message>
            <source>Fever</source>
            <translation>发热</translation>
        </message>
        <message>
            <source>Operator</source>
            <translation>操作员</translation>
        </message>
        <message>
            <source>Load more</source>
            <translation>加载更多</translation>
        </message>
        <message>
            <source>14-day trail</source>
            <translation>14 天记录</translation>
        </message>
        <message>
            <source>Export CSV</source>
            <translation>导出 CSV</translation>
        </message>
        <message>
            <source>Export XLSX</source>
            <translation>导出 XLSX</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>This code's last 14 days here</source>
            <translation>此码近 14 天在本处的记录</translation>
        </message>
        <message>
            <source>Personal PIN for %1</source>
            <translation>%1 的个人 PIN 码</translation>
        </message>
        <message>
            <source>Today</source>
            <translation>今天</translation>
        </message>
        <message>
            <source>Last 24 hours</source>
            <translation>近 24 小时</translation>
        </message>
        <message>
            <source>Last 7 days</source>
            <translation>近 7 天</translation>
        </message>
        <message>
            <source>Last 14 days</source>
            <translation>近 14 天</translation>
        </message>
        <message>
            <source>All days</source>
            <translation>全部日期</translation>
        </message>
        <message>
            <source>All</source>
            <translation>全部</translation>
        </message>
        <message>
            <source>The passage log could not be read.</source>
            <translation>无法读取通行记录。</translation>
        </message>
        <message>
            <source>Exporting… %1 of %2 rows</source>
            <translation>正在导出… %1/%2 行</translation>
        </message>
        <message>
            <source>Exported %1 rows to %2</source>
            <translation>已导出 %1 行至 %2</translation>
        </message>
        <message>
            <source>Export cancelled; no file was written.</source>
            <translation>导出已取消，未写入文件。</translation>
        </message>
        <message>
            <source>Export failed; no file was written.</source>
            <translation>导出失败，未写入文件。</translation>
        </message>
        <message>
            <source>Supervisor: %1</source>
            <translation>主管：%1</translation>
        </message>
        <message>
            <source>No passages match these filters.</source>
            <translation>没有符合筛选条件的通行记录。</translation>
        </message>
        <message>
            <source>Showing %1 of %2 passages, newest first</source>
            <translation>共 %2 条，已显示 %1 条（最新在前）</translation>
        </message>
        <message>
            <source>%1 · %2 · %3 passages here, %4 with fever</source>
            <translation>%1 · %2 · 在本处通行 %3 次，其中发热 %4 次</translation>
        </message>
    </context>
</TS>
