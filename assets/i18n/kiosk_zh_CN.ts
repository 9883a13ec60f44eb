<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
    <context>
        <name>DevicesPage</name>
        <message>
            <source>Serial ports</source>
            <translation>串口</translation>
        </message>
        <message>
            <source>Cameras</source>
            <translation>摄像头</translation>
        </message>
        <message>
            <source>Port</source>
            <translation>端口</translation>
        </message>
        <message>
            <source>Description</source>
            <translation>说明</translation>
        </message>
        <message>
            <source>VID:PID</source>
            <translation>VID:PID</translation>
        </message>
        <message>
            <source>Camera</source>
            <translation>摄像头</translation>
        </message>
        <message>
            <source>Device name</source>
            <translation>设备名称</translation>
        </message>
        <message>
            <source>Search again</source>
            <translation>重新搜索</translation>
        </message>
        <message>
            <source>Thermometer</source>
            <translation>测温仪</translation>
        </message>
        <message>
            <source>ID-card reader</source>
            <translation>身份证读卡器</translation>
        </message>
        <message>
            <source>Test</source>
            <translation>测试</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>保存</translation>
        </message>
        <message>
            <source>(none)</source>
            <translation>（无）</translation>
        </message>
        <message>
            <source>Camera preview</source>
            <translation>摄像头预览</translation>
        </message>
        <message>
            <source>Cannot list the devices: %1</source>
            <translation>无法列出设备：%1</translation>
        </message>
        <message>
            <source>Testing…</source>
            <translation>正在测试…</translation>
        </message>
        <message>
            <source>The test failed: %1</source>
            <translation>测试失败：%1</translation>
        </message>
        <message>
            <source>Cannot open it: is it plugged in? (%1)</source>
            <translation>无法打开：设备是否已插好？（%1）</translation>
        </message>
        <message>
            <source>Bytes arrive but make no sense: wrong model or speed? (%1)</source>
            <translation>收到的数据无法识别：型号或波特率是否有误？（%1）</translation>
        </message>
        <message>
            <source>No answer in time. (%1)</source>
            <translation>设备未及时应答。（%1）</translation>
        </message>
        <message>
            <source>The reader answers, but no card was put on it.</source>
            <translation>读卡器有应答，但没有放上身份证。</translation>
        </message>
        <message>
            <source>It went away during the test: unplugged? (%1)</source>
            <translation>测试中设备断开：是否被拔出？（%1）</translation>
        </message>
        <message>
            <source>Pick the thermometer's port first.</source>
            <translation>请先选择测温仪的端口。</translation>
        </message>
        <message>
            <source>%1 °C (measured %2 °C)</source>
            <translation>%1 °C（实测 %2 °C）</translation>
        </message>
        <message>
            <source>Pick the reader's port first.</source>
            <translation>请先选择读卡器的端口。</translation>
        </message>
        <message>
            <source>Put an ID card on the reader…</source>
            <translation>请将身份证放在读卡器上…</translation>
        </message>
        <message>
            <source>Card read: %1</source>
            <translation>已读卡：%1</translation>
        </message>
        <message>
            <source>Pick the camera first.</source>
            <translation>请先选择摄像头。</translation>
        </message>
        <message>
            <source>Picture ok, a QR code was decoded.</source>
            <translation>画面正常，已识别二维码。</translation>
        </message>
        <message>
            <source>Picture ok, but no QR code was decoded: hold one up and test again.</source>
            <translation>画面正常，但未识别到二维码：请出示二维码后再测试。</translation>
        </message>
        <message>
            <source>Saved to %1</source>
            <translation>已保存到 %1</translation>
        </message>
        <message>
            <source>Not saved: %1</source>
            <translation>未保存：%1</translation>
        </message>
    </context>
    <context>
        <name>EnrollmentPage</name>
        <message>
            <source>Central service address</source>
            <translation>中心服务地址</translation>
        </message>
        <message>
            <source>Enrollment code</source>
            <translation>注册码</translation>
        </message>
        <message>
            <source>Type the code, or scan its QR code</source>
            <translation>输入注册码，或扫描其二维码</translation>
        </message>
        <message>
            <source>Scan with the camera</source>
            <translation>用摄像头扫描</translation>
        </message>
        <message>
            <source>Enroll</source>
            <translation>注册</translation>
        </message>
        <message>
            <source>This kiosk is enrolled as</source>
            <translation>本终端已注册为</translation>
        </message>
        <message>
            <source>Reset (de-enroll)…</source>
            <translation>重置（注销）…</translation>
        </message>
        <message>
            <source>Reset this kiosk? It forgets its checkpoint and deletes the passages central has received.</source>
            <translation>确定重置本终端？它将忘记所属卡口，并删除中心已收到的通行记录。</translation>
        </message>
        <message>
            <source>Yes, reset</source>
            <translation>确定重置</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Not enrolled.</source>
            <translation>未注册。</translation>
        </message>
        <message>
            <source>Enterprise gate</source>
            <translation>企业门岗</translation>
        </message>
        <message>
            <source>Residential compound</source>
            <translation>住宅小区</translation>
        </message>
        <message>
            <source>Village</source>
            <translation>村庄</translation>
        </message>
        <message>
            <source>Road junction</source>
            <translation>道路卡口</translation>
        </message>
        <message>
            <source>Clinic</source>
            <translation>诊所</translation>
        </message>
        <message>
            <source>Pharmacy</source>
            <translation>药店</translation>
        </message>
        <message>
            <source>Public transport (vehicle)</source>
            <translation>公共交通（车内）</translation>
        </message>
        <message>
            <source>Public transport (station)</source>
            <translation>公共交通（站点）</translation>
        </message>
        <message>
            <source>Shop or supermarket</source>
            <translation>商场超市</translation>
        </message>
        <message>
            <source>Hotel</source>
            <translation>酒店宾馆</translation>
        </message>
        <message>
            <source>School</source>
            <translation>学校</translation>
        </message>
        <message>
            <source>Public building</source>
            <translation>公共建筑</translation>
        </message>
        <message>
            <source>Pick a camera on the Devices page first.</source>
            <translation>请先在“设备”页选择摄像头。</translation>
        </message>
        <message>
            <source>Hold the enrollment QR code in front of the camera…</source>
            <translation>请将注册二维码对准摄像头…</translation>
        </message>
        <message>
            <source>No QR code seen. Hold it closer and scan again.</source>
            <translation>未识别到二维码，请靠近后重新扫描。</translation>
        </message>
        <message>
            <source>Code scanned.</source>
            <translation>已扫描注册码。</translation>
        </message>
        <message>
            <source>The camera cannot be used: %1</source>
            <translation>摄像头无法使用：%1</translation>
        </message>
        <message>
            <source>Type central's address, starting with https://</source>
            <translation>请输入中心服务地址，以 https:// 开头</translation>
        </message>
        <message>
            <source>Type or scan the enrollment code.</source>
            <translation>请输入或扫描注册码。</translation>
        </message>
        <message>
            <source>Enrolling…</source>
            <translation>正在注册…</translation>
        </message>
        <message>
            <source>Enrolled.</source>
            <translation>注册成功。</translation>
        </message>
        <message>
            <source>Central cannot be reached: check the address and the network.</source>
            <translation>无法连接中心服务：请检查地址和网络。</translation>
        </message>
        <message>
            <source>Central refused the code (%1): ask for a new one.</source>
            <translation>中心拒绝了该注册码（%1）：请申请新的注册码。</translation>
        </message>
        <message>
            <source>Enrollment failed: %1</source>
            <translation>注册失败：%1</translation>
        </message>
        <message numerus="yes">
            <source>Reset: %n passage(s) deleted. The kiosk is not enrolled.</source>
            <translation>
                <numerusform>已重置：删除了 %n 条通行记录。本终端已注销。</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Not reset: %n record(s) are not uploaded yet. Connect the network and wait for the upload (or export the backlog), then reset.</source>
            <translation>
                <numerusform>未重置：还有 %n 条记录尚未上传。请连接网络等待上传完成（或导出积压记录）后再重置。</numerusform>
            </translation>
        </message>
        <message>
            <source>Reset failed: %1</source>
            <translation>重置失败：%1</translation>
        </message>
    </context>
    <context>
        <name>ExitConfirmation</name>
        <message>
            <source>Leave the kiosk application?</source>
            <translation>确定退出核验终端程序？</translation>
        </message>
        <message>
            <source>Passages are not checked here until the kiosk application is started again.</source>
            <translation>退出后，重新启动核验终端程序之前，本机不再核验通行。</translation>
        </message>
        <message>
            <source>Leave</source>
            <translation>退出</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
    </context>
    <context>
        <name>FieldEditor</name>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>完成</translation>
        </message>
        <message>
            <source>Too short: a new PIN has 6 to 12 digits.</source>
            <translation>位数不够：新 PIN 码须为 6 到 12 位数字。</translation>
        </message>
    </context>
    <context>
        <name>Keypad</name>
        <message>
            <source>Clear</source>
            <translation>清除</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>删除</translation>
        </message>
    </context>
    <context>
        <name>KioskWindow</name>
        <message>
            <source>Health-code checkpoint</source>
            <translation>健康码核验点</translation>
        </message>
    </context>
    <context>
        <name>LogPage</name>
        <message>
            <source>All</source>
            <translation>全部</translation>
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
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Colour</source>
            <translation>颜色</translation>
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
            <source>Outcome (touch again for all)</source>
            <translation>结果（再点一次显示全部）</translation>
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
            <source>Supervisor: %1</source>
            <translation>主管：%1</translation>
        </message>
        <message>
            <source>Reading…</source>
            <translation>正在读取…</translation>
        </message>
        <message>
            <source>The passage log could not be read.</source>
            <translation>无法读取通行记录。</translation>
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
            <source>Exporting…</source>
            <translation>正在导出…</translation>
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
        <message>
            <source>Temperature, °C</source>
            <translation>体温（°C）</translation>
        </message>
    </context>
    <context>
        <name>NamesPage</name>
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
            <source>Technician</source>
            <translation>技术员</translation>
        </message>
    </context>
    <context>
        <name>NoteEditor</name>
        <message>
            <source>Note (optional): touch a phrase or type</source>
            <translation>备注（可选）：点常用语或输入</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>完成</translation>
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
            <source>Reason (pick one)</source>
            <translation>原因（选一项）</translation>
        </message>
        <message>
            <source>Note (optional)</source>
            <translation>备注（可选）</translation>
        </message>
        <message>
            <source>Confirm</source>
            <translation>确认</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Pick a reason first</source>
            <translation>请先选择原因</translation>
        </message>
    </context>
    <context>
        <name>PassageFieldBar</name>
        <message>
            <source>Vehicle plate</source>
            <translation>车牌号</translation>
        </message>
        <message>
            <source>Keep plate</source>
            <translation>保留车牌</translation>
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
            <source>Reason</source>
            <translation>判定原因</translation>
        </message>
        <message>
            <source>In/out</source>
            <translation>进/出</translation>
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
            <source>Trip</source>
            <translation>事由</translation>
        </message>
        <message>
            <source>Override</source>
            <translation>人工改判</translation>
        </message>
        <message>
            <source>Operator</source>
            <translation>操作员</translation>
        </message>
    </context>
    <context>
        <name>PasserEntry</name>
        <message>
            <source>No ID card: type the full name in pinyin, and the phone</source>
            <translation>无身份证时：输入姓名拼音及电话</translation>
        </message>
        <message>
            <source>Full name</source>
            <translation>姓名（拼音）</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>电话</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>完成</translation>
        </message>
    </context>
    <context>
        <name>PersonTrailView</name>
        <message>
            <source>This person's records</source>
            <translation>查看此人记录</translation>
        </message>
        <message>
            <source>Back to scanning</source>
            <translation>返回扫码</translation>
        </message>
        <message>
            <source>Sign in first: only the staff on duty may see a person's records</source>
            <translation>请先登录：仅值班人员可查看此人的记录</translation>
        </message>
        <message>
            <source>The records could not be read</source>
            <translation>记录读取失败</translation>
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
        <name>PlateEntry</name>
        <message>
            <source>Vehicle plate</source>
            <translation>车牌号</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>完成</translation>
        </message>
        <message>
            <source>Province first, then letters and digits</source>
            <translation>先选省份，再输字母和数字</translation>
        </message>
        <message>
            <source>✓ Looks like a plate</source>
            <translation>✓ 格式正确</translation>
        </message>
        <message>
            <source>Unusual plate: please check it</source>
            <translation>车牌格式少见，请核对</translation>
        </message>
    </context>
    <context>
        <name>ProvisioningView</name>
        <message>
            <source>Technician</source>
            <translation>技术员</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <source>Leave the kiosk application</source>
            <translation>退出核验终端程序</translation>
        </message>
        <message>
            <source>Devices</source>
            <translation>设备</translation>
        </message>
        <message>
            <source>Enrollment</source>
            <translation>注册</translation>
        </message>
        <message>
            <source>Staff and passage fields</source>
            <translation>人员与通行登记项</translation>
        </message>
        <message>
            <source>Technician PIN</source>
            <translation>技术员 PIN 码</translation>
        </message>
        <message>
            <source>First start: choose the technician PIN (6-12 digits)</source>
            <translation>首次启动：请设置技术员 PIN 码（6-12 位数字）</translation>
        </message>
        <message>
            <source>Enter the new technician PIN again</source>
            <translation>请再次输入新的技术员 PIN 码</translation>
        </message>
        <message>
            <source>Too short: a new PIN has 6 to 12 digits.</source>
            <translation>位数不够：新 PIN 码须为 6 到 12 位数字。</translation>
        </message>
        <message>
            <source>The two PINs differ. Choose it again.</source>
            <translation>两次输入的 PIN 码不一致，请重新设置。</translation>
        </message>
        <message>
            <source>Not saved: %1</source>
            <translation>未保存：%1</translation>
        </message>
    </context>
    <context>
        <name>ResultScreen</name>
        <message>
            <source>Change decision</source>
            <translation>改判</translation>
        </message>
        <message>
            <source>Sign in first</source>
            <translation>请先登录值班人员</translation>
        </message>
        <message>
            <source>This person's records</source>
            <translation>查看此人记录</translation>
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
            <source>Name and phone</source>
            <translation>登记姓名电话</translation>
        </message>
        <message>
            <source>This person's records</source>
            <translation>查看此人记录</translation>
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
            <source>Change last decision: %1</source>
            <translation>改判上一位：%1</translation>
        </message>
        <message>
            <source>Sign in first</source>
            <translation>请先登录值班人员</translation>
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
        <name>SettingsPage</name>
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
            <source>Back</source>
            <translation>返回</translation>
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
        <name>StaffPage</name>
        <message>
            <source>Supervisors on this kiosk</source>
            <translation>本终端的主管</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <source>Save supervisor PIN</source>
            <translation>保存主管 PIN 码</translation>
        </message>
        <message>
            <source>New PIN (6-12 digits)</source>
            <translation>新 PIN 码（6-12 位数字）</translation>
        </message>
        <message>
            <source>Technician PIN (6-12 digits)</source>
            <translation>技术员 PIN 码（6-12 位数字）</translation>
        </message>
        <message>
            <source>Change technician PIN</source>
            <translation>修改技术员 PIN 码</translation>
        </message>
        <message>
            <source>Passage fields asked at this checkpoint</source>
            <translation>本卡口登记的通行信息</translation>
        </message>
        <message>
            <source>Direction (in / out)</source>
            <translation>方向（进/出）</translation>
        </message>
        <message>
            <source>Reason for the trip</source>
            <translation>出行事由</translation>
        </message>
        <message>
            <source>Vehicle plate</source>
            <translation>车牌号</translation>
        </message>
        <message>
            <source>Passer's full name (required)</source>
            <translation>通行人姓名（必填）</translation>
        </message>
        <message>
            <source>Passer's phone</source>
            <translation>通行人电话</translation>
        </message>
        <message>
            <source>Save passage fields</source>
            <translation>保存通行登记项</translation>
        </message>
        <message>
            <source>Supervisor's name (pinyin, or type it)</source>
            <translation>主管姓名（拼音，或用键盘输入）</translation>
        </message>
        <message>
            <source>New supervisor PIN (6-12 digits)</source>
            <translation>主管新 PIN 码（6-12 位数字）</translation>
        </message>
        <message>
            <source>A PIN is 6 to 12 digits, and a name is needed.</source>
            <translation>PIN 码须为 6 到 12 位数字，并需填写姓名。</translation>
        </message>
        <message>
            <source>+ New supervisor</source>
            <translation>+ 新增主管</translation>
        </message>
        <message>
            <source>PIN saved for %1.</source>
            <translation>已保存 %1 的 PIN 码。</translation>
        </message>
        <message>
            <source>Not saved: %1</source>
            <translation>未保存：%1</translation>
        </message>
        <message>
            <source>Technician</source>
            <translation>技术员</translation>
        </message>
        <message>
            <source>Not saved: a new PIN has 6 to 12 digits, digits only.</source>
            <translation>未保存：新 PIN 码须为 6 到 12 位数字，只能是数字。</translation>
        </message>
        <message>
            <source>Not saved: the supervisor's name is needed.</source>
            <translation>未保存：请填写主管姓名。</translation>
        </message>
        <message>
            <source>Passage fields saved.</source>
            <translation>通行登记项已保存。</translation>
        </message>
    </context>
    <context>
        <name>SupervisorUnlock</name>
        <message>
            <source>Personal PIN for %1</source>
            <translation>%1 的个人 PIN 码</translation>
        </message>
    </context>
    <context>
        <name>TextKeyboard</name>
        <message>
            <source>Space</source>
            <translation>空格</translation>
        </message>
        <message>
            <source>Province</source>
            <translation>省份</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>清除</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>删除</translation>
        </message>
    </context>
    <context>
        <name>TrailPage</name>
        <message>
            <source>This code's last 14 days here</source>
            <translation>此码近 14 天在本处的记录</translation>
        </message>
        <message>
            <source>Back</source>
            <translation>返回</translation>
        </message>
        <message>
            <source>Reading…</source>
            <translation>正在读取…</translation>
        </message>
        <message>
            <source>Asking central for the area's records…</source>
            <translation>正在向中心查询本区记录…</translation>
        </message>
        <message>
            <source>Offline: this kiosk's own records only</source>
            <translation>离线：仅显示本机记录</translation>
        </message>
        <message>
            <source>In this area, last 14 days: %1 passages, %2 with fever</source>
            <translation>本区近 14 天：通行 %1 次，其中发热 %2 次</translation>
        </message>
        <message>
            <source>%1 · %2 · %3 passages here, %4 with fever</source>
            <translation>%1 · %2 · 在本处通行 %3 次，其中发热 %4 次</translation>
        </message>
    </context>
    <context>
        <name>view</name>
        <message>
            <source>First start: choose the technician PIN (6-12 digits)</source>
            <translation>首次启动：请设置技术员 PIN 码（6-12 位数字）</translation>
        </message>
        <message>
            <source>Too short: a new PIN has 6 to 12 digits.</source>
            <translation>位数不够：新 PIN 码须为 6 到 12 位数字。</translation>
        </message>
    </context>
</TS>
