<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0-Firenze" styleCategories="AllStyleCategories">
  <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">
    <rules key="{root}">
      <rule key="{rule-0}" filter="&quot;level&quot; = 'province'" label="省级界线" symbol="0" />
      <rule key="{rule-1}" filter="&quot;level&quot; = 'prefecture'" label="地级界线" symbol="1" />
      <rule key="{rule-2}" filter="ELSE" label="县级界线" symbol="2" />
    </rules>
    <symbols>
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="255,255,255,0" type="QString" />
            <Option name="style" value="no" type="QString" />
            <Option name="outline_color" value="64,64,64,255" type="QString" />
            <Option name="outline_style" value="solid" type="QString" />
            <Option name="outline_width" value="1.2" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="255,255,255,0" type="QString" />
            <Option name="style" value="no" type="QString" />
            <Option name="outline_color" value="64,64,64,255" type="QString" />
            <Option name="outline_style" value="solid" type="QString" />
            <Option name="outline_width" value="0.8" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="2" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" value="255,255,255,0" type="QString" />
            <Option name="style" value="no" type="QString" />
            <Option name="outline_color" value="64,64,64,255" type="QString" />
            <Option name="outline_style" value="dash" type="QString" />
            <Option name="outline_width" value="0.5" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="&quot;name&quot;" isExpression="1" fontFamily="Noto Sans CJK SC" fontSize="9" fontSizeUnit="Point" textColor="0,0,0,255" textOpacity="1" namedStyle="Regular" multilineAlign="3" />
      <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.85" />
      <placement placement="1" dist="0" priority="5" />
      <rendering obstacle="1" displayAll="0" upsidedownLabels="0" scaleVisibility="1" scaleMin="0" scaleMax="2000000" minFeatureSize="3" />
    </settings>
  </labeling>
  <fieldConfiguration>
    <field name="name" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="level" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="parent" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="adcode" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="source" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
    <field name="geom_area_km2" configurationFlags="None">
      <editWidget type="TextEdit" />
    </field>
  </fieldConfiguration>
  <aliases>
    <alias field="name" index="0" name="名称" />
    <alias field="level" index="1" name="级别" />
    <alias field="parent" index="2" name="上级" />
    <alias field="adcode" index="3" name="行政区划代码" />
    <alias field="source" index="4" name="数据来源" />
    <alias field="geom_area_km2" index="5" name="椭球面积（km²）" />
  </aliases>
  <layerGeometryType>2</layerGeometryType>
</qgis>
