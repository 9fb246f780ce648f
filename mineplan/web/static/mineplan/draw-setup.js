/* A metric scale, and Leaflet.draw's strings in Chinese (run before the Draw control
   reads them; mineplan.web.drawmap calls this with the map). */
(function (map) {
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    var t = L.drawLocal;
    t.draw.toolbar.actions = {title: "取消绘制", text: "取消"};
    t.draw.toolbar.finish = {title: "完成绘制", text: "完成"};
    t.draw.toolbar.undo = {title: "删除最后一个拐点", text: "删除最后一点"};
    t.draw.toolbar.buttons.polygon = "绘制多边形（逐点单击，单击第一个点闭合）";
    t.draw.toolbar.buttons.rectangle = "绘制矩形（按住鼠标拖动）";
    t.draw.handlers.polygon.tooltip = {start: "单击放置第一个拐点",
        cont: "单击继续放置拐点", end: "单击第一个拐点闭合范围"};
    t.draw.handlers.polyline.error = "<strong>错误：</strong>边线不能相交！";
    t.draw.handlers.rectangle.tooltip = {start: "按住鼠标拖动绘制矩形"};
    t.draw.handlers.simpleshape.tooltip = {end: "松开鼠标完成绘制"};
    t.edit.toolbar.actions.save = {title: "保存修改", text: "保存"};
    t.edit.toolbar.actions.cancel = {title: "放弃修改", text: "取消"};
    t.edit.toolbar.actions.clearAll = {title: "删除全部", text: "全部删除"};
    t.edit.toolbar.buttons = {edit: "修改范围", editDisabled: "没有可修改的范围",
        remove: "删除范围", removeDisabled: "没有可删除的范围"};
    t.edit.handlers.edit.tooltip = {text: "拖动拐点修改范围", subtext: "点击“取消”放弃修改"};
    t.edit.handlers.remove.tooltip = {text: "单击要删除的范围"};
})
